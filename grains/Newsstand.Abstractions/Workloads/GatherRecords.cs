namespace Newsstand.Workloads;

/// <summary>The answer of <c>GET /ch08/login/list/records</c>: how many logins, and each as <c>"&lt;id&gt; &lt;username&gt; &lt;user_type&gt;"</c> (never a password or hash).</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.LoginRecords")]
public sealed record LoginRecords([property: Id(0)] long NumRec, [property: Id(1)] IReadOnlyList<string> UserList);
