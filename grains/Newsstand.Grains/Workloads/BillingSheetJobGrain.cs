using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Workloads;

/// <summary>
/// One billing sheet job. Its row in the database is the truth about it: queued when accepted, running with its
/// progress, then succeeded or failed. The run walks the billing table with the batched scan, writes the lines
/// of its date (with their vendors' accounts) to a temporary file and renames it into place. A run cut short by a
/// shutdown is recorded as queued again; a job found queued or running with no run here (after a restart or a
/// crash) is run again from the start, so no job stays "running".
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The run's cancellation source is disposed when that run ends.")]
[Reentrant] // Status reads interleave with the run on purpose; state changes happen between awaits, never across them.
internal sealed partial class BillingSheetJobGrain(
    NewsstandDb db,
    IOptions<DatabaseOptions> database,
    SiloStopping stopping,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<BillingSheetJobGrain> logger) : Grain, IBillingSheetJobGrain
{
    public const int ScanBatch = 256;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(20);

    private BillingJobEntity? _job;
    private Task? _run;
    private CancellationTokenSource? _stop;
    private TaskCompletionSource<BillingJobStatus> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string JobId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = JobId;
        _job = await db.ReadAsync(context => context.Set<BillingJobEntity>().SingleOrDefaultAsync(j => j.Id == id, cancellationToken));
        if (_job is { } job && !JobStates.IsActive(job.Status))
        {
            _finished.TrySetResult(job.View);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_run is { } run)
        {
            // Shutting down (or moving): stop at the next batch; the run records the job as queued, to be resumed.
            await _stop!.CancelAsync();
            await run.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    public async Task<BillingJobStatus> StartAsync(DateOnly billingDate)
    {
        if (_job is { } existing)
        {
            return existing.View;
        }
        var job = new BillingJobEntity(JobId, billingDate, JobStates.Queued, 0, 0, 0, null, BillingSheetFile.FileNameOf(billingDate), null,
            Now(), null, null, 0);
        await db.InsertAsync(job);
        _job = job;
        await PublishAsync();
        StartRun();
        return _job.View;
    }

    public Task<BillingJobStatus> GetAsync() => Task.FromResult(Current().View);

    public async Task<BillingJobStatus> WaitAsync(TimeSpan timeout)
    {
        var job = Current();
        try
        {
            return await _finished.Task.WaitAsync(timeout < LongestWait ? timeout : LongestWait, time);
        }
        catch (TimeoutException)
        {
            return (_job ?? job).View;
        }
    }

    public Task ResumeAsync()
    {
        Current();
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<byte[]> ReadSheetAsync()
    {
        var job = Current();
        if (job.Status != JobStates.Succeeded)
        {
            throw new JobNotReadyException(job.Id, job.Status);
        }
        var path = BillingSheetFile.PathOf(DataDirectory, job.BillingDate);
        var file = await Task.Run(() => File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous)
            : null) ?? throw new WorkloadNotFoundException($"The sheet file {job.FileName} of billing job {job.Id}");
        await using (file)
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await file.ReadAsync(buffer)) > 0)
            {
                yield return buffer[..read];
            }
        }
    }

    private string DataDirectory => Path.GetFullPath(database.Value.DataDirectory);

    /// <summary>The job (throwing <see cref="WorkloadNotFoundException"/> if there is none); a job recorded as active that
    /// nobody runs (this activation was made after a restart) is resumed here.</summary>
    private BillingJobEntity Current()
    {
        var job = _job ?? throw new WorkloadNotFoundException($"Billing job {JobId}");
        if (JobStates.IsActive(job.Status) && _run is null)
        {
            LogResuming(job.Id, job.Status);
            StartRun();
        }
        return job;
    }

    private void StartRun()
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        if (_finished.Task.IsCompleted)
        {
            _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _run = RunAsync(_stop.Token);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        // Yield first, so the caller that started the run gets its answer before the work begins.
        await Task.Yield();
        try
        {
            _job = _job! with
            {
                Status = JobStates.Running, StartedAt = Now(), FinishedAt = null, Attempts = _job.Attempts + 1,
                RowsScanned = 0, RowsTotal = 0, Lines = 0, TotalPayable = null, Error = null,
            };
            await SaveAsync();
            await PublishAsync();
            var (lines, total) = await WriteSheetAsync(_job.BillingDate, cancellationToken);
            _job = _job with { Status = JobStates.Succeeded, Lines = lines, TotalPayable = total, FinishedAt = Now() };
            await SaveAsync();
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The silo is stopping (its grain calls may fail from now on, too): the job is left to be resumed.
            _job = _job! with { Status = JobStates.Queued, Error = "Interrupted by a shutdown; it runs again from the start when its silo is back." };
            await TrySaveAsync();
        }
        catch (Exception error)
        {
            LogFailed(error, JobId);
            var reason = $"{error.GetType().Name}: {error.Message}";
            _job = _job! with { Status = JobStates.Failed, Error = reason.Length > 500 ? reason[..500] : reason, FinishedAt = Now() };
            await TrySaveAsync();
        }
        finally
        {
            _run = null;
            _stop?.Dispose();
            _stop = null;
        }
        await PublishAsync();
        if (!JobStates.IsActive(_job.Status))
        {
            _finished.TrySetResult(_job.View);
        }
    }

    private async Task<(int Lines, double Total)> WriteSheetAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var rows = await GrainFactory.TableIndex<BillingRecord>().CountAsync();
        _job = _job! with { RowsTotal = rows };
        var lines = 0;
        var total = 0d;
        var lastReport = time.GetTimestamp();
        await using var sheet = await BillingSheetFile.CreateAsync(DataDirectory, JobId, date);
        var matches = new List<BillingRecord>();
        var scanned = 0L;
        await foreach (var billing in GrainFactory.ScanAsync<BillingRecord>(ScanBatch, cancellationToken))
        {
            scanned++;
            if (billing.DateBilled == date)
            {
                matches.Add(billing);
            }
            if (scanned % ScanBatch == 0)
            {
                (lines, total) = await WriteLinesAsync(sheet, matches, lines, total);
                _job = _job with { RowsScanned = scanned, Lines = lines };
                if (time.GetElapsedTime(lastReport) >= ProgressInterval)
                {
                    lastReport = time.GetTimestamp();
                    await SaveAsync();
                    await PublishAsync();
                }
            }
        }
        (lines, total) = await WriteLinesAsync(sheet, matches, lines, total);
        cancellationToken.ThrowIfCancellationRequested();
        await sheet.CommitAsync();
        _job = _job with { RowsScanned = scanned };
        return (lines, total);
    }

    /// <summary>Writes <paramref name="billings"/> with their vendors (looked up from the chunks that own them) and clears the list.</summary>
    private async Task<(int Lines, double Total)> WriteLinesAsync(BillingSheetFile sheet, List<BillingRecord> billings, int lines, double total)
    {
        var lookups = billings.Select(b => b.VendorId).Distinct().GroupBy(TableSchema.ChunkOf)
            .Select(chunk => GrainFactory.TableChunk<VendorRecord>(chunk.Key).FindAsync([.. chunk]));
        var vendors = (await Task.WhenAll(lookups)).SelectMany(found => found).ToDictionary(v => v.Id);
        foreach (var billing in billings)
        {
            await sheet.WriteAsync(billing, vendors.GetValueOrDefault(billing.VendorId));
            total += billing.Payable;
            lines++;
        }
        billings.Clear();
        return (lines, total);
    }

    private Task SaveAsync() => db.UpdateAsync(_job!);

    /// <summary>The clock's time to the microsecond, the precision both databases keep: what is read back equals what was written.</summary>
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
    }

    private async Task TrySaveAsync()
    {
        try
        {
            await SaveAsync();
        }
        catch (Exception error) when (error is NewsstandException)
        {
            // The row keeps its last committed state (queued or running): the job is resumed after the next start.
            LogNotSaved(JobId, _job!.Status, error.GetType().Name);
        }
    }

    private async Task PublishAsync()
    {
        var job = _job!;
        try
        {
            await this.NotificationStream(NotificationTopics.Jobs)
                .OnNextAsync(NotificationStreams.Create(Guid.NewGuid().ToString("N"), $"job.{job.Status}", job.View, Now()));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Notifications are for whoever watches now; the job's state is in the database either way.
            LogNotPublished(job.Id, error.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Billing job {JobId} was {Status} with nobody running it; running it again.")]
    private partial void LogResuming(string jobId, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Billing job {JobId} failed.")]
    private partial void LogFailed(Exception error, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Billing job {JobId} could not record its state {Status} ({Error}).")]
    private partial void LogNotSaved(string jobId, string status, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Billing job {JobId} could not publish its status ({Error}).")]
    private partial void LogNotPublished(string jobId, string error);
}
