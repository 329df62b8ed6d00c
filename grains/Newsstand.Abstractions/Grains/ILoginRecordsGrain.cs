namespace Newsstand.Grains;

/// <summary>The user list of <c>GET /ch08/login/list/records</c> (key: one answer), streamed while it is read.</summary>
public interface ILoginRecordsGrain : IGrainWithGuidKey
{
    /// <summary>Every login as <c>"&lt;id&gt; &lt;username&gt; &lt;user_type&gt;"</c> in id order, from a batched scan of the
    /// login table, handed over as the caller pulls. Never carries a password or a hash.</summary>
    IAsyncEnumerable<string> UsersAsync();
}
