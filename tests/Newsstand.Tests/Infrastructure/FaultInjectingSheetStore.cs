using System.Collections.Concurrent;
using Newsstand.Workloads;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The billing sheet store of a test silo with a fault injected per job: every part a planned job stores fails with an
/// exception whose message must never reach a caller. Jobs without a plan go straight to the database.
/// </summary>
internal sealed class FaultInjectingSheetStore(IBillingSheetStore database) : IBillingSheetStore
{
    public const string SecretMessage = "injected fault at /var/lib/nsms/secret-path (must stay in the log)";

    private readonly ConcurrentDictionary<string, bool> _failing = new();

    public void FailSavesOf(string jobId) => _failing[jobId] = true;

    public Task SavePartAsync(string jobId, string run, int part, byte[] data) =>
        _failing.ContainsKey(jobId)
            ? Task.FromException(new IOException(SecretMessage))
            : database.SavePartAsync(jobId, run, part, data);

    public IAsyncEnumerable<byte[]> ReadAsync(string jobId, string run) => database.ReadAsync(jobId, run);

    public Task DiscardOtherRunsAsync(string jobId, string? keep) => database.DiscardOtherRunsAsync(jobId, keep);

    public Task DiscardEarlierSheetsAsync(DateOnly date, string jobId) => database.DiscardEarlierSheetsAsync(date, jobId);
}
