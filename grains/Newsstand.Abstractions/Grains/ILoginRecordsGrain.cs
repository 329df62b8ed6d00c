using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>The gather of <c>GET /ch08/login/list/records</c>: two coroutines awaited together.</summary>
public interface ILoginRecordsGrain : IGrainWithIntegerKey
{
    /// <summary>Counts the logins (the login table's index) while it builds the user list from a batched scan of the
    /// same table; both run at once and are awaited together. Never carries a password or a hash.</summary>
    Task<LoginRecords> GatherAsync();
}
