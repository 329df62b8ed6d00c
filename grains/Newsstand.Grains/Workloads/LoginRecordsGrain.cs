using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Workloads;

/// <summary>
/// The gather: the count comes from the login table's index while the user list is built from a batched
/// scan of the same table; both are started before either is awaited. Holds no state, so every silo runs its own.
/// </summary>
[StatelessWorker]
internal sealed class LoginRecordsGrain : Grain, ILoginRecordsGrain
{
    public const int ScanBatch = 512;

    public async Task<LoginRecords> GatherAsync()
    {
        var count = GrainFactory.TableIndex<LoginView>().CountAsync();
        var users = BuildUserListAsync();
        await Task.WhenAll(count, users);
        return new LoginRecords(await count, await users);
    }

    private async Task<IReadOnlyList<string>> BuildUserListAsync()
    {
        var users = new List<string>();
        await foreach (var login in GrainFactory.ScanAsync<LoginView>(ScanBatch))
        {
            users.Add($"{login.Id} {login.Username} {login.UserType}");
        }
        return users;
    }
}
