using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// The user list of the gather, from a batched scan of the login table, yielded as the caller pulls: the silo holds
/// one scan batch per answer, whatever the table's size, and a caller that stops pulling stops the scan.
/// </summary>
// One activation per answer; it is not deactivated from inside the enumeration (the caller's last pull still needs
// it), so finished answers are collected soon after instead.
[CollectionAgeLimit(Minutes = 2)]
internal sealed class LoginRecordsGrain : Grain, ILoginRecordsGrain
{
    public const int ScanBatch = 512;

    public async IAsyncEnumerable<string> UsersAsync()
    {
        await foreach (var login in GrainFactory.ScanAsync<LoginView>(ScanBatch))
        {
            yield return $"{login.Id} {login.Username} {login.UserType}";
        }
    }
}
