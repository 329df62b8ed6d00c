using Microsoft.Extensions.Logging;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// The user list of the gather, from a batched scan of the login table, yielded as the caller pulls: the silo holds
/// one scan batch per answer, whatever the table's size, and a caller that stops pulling stops the scan.
/// </summary>
// One activation per answer, let go at once when its caller leaves mid-answer (StreamedAnswer); the age limit
// collects those of finished answers.
[CollectionAgeLimit(Minutes = 2)]
internal sealed class LoginRecordsGrain(ILogger<LoginRecordsGrain> logger) : Grain, ILoginRecordsGrain
{
    public const int ScanBatch = 512;

    public IAsyncEnumerable<string> UsersAsync() => ScanUsersAsync().EndingWith(this, logger);

    private async IAsyncEnumerable<string> ScanUsersAsync()
    {
        await foreach (var login in GrainFactory.ScanAsync<LoginView>(ScanBatch))
        {
            yield return $"{login.Id} {login.Username} {login.UserType}";
        }
    }
}
