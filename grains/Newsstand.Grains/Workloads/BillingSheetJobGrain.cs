using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Idempotency;
using Orleans.Concurrency;

namespace Newsstand.Workloads;

/// <summary>
/// One billing sheet job, as a state machine. Its row in the database is the truth about it: queued when accepted,
/// running with its progress, then succeeded or failed. A run builds the sheet (<see cref="BillingSheetBuilder"/>)
/// into the database under its own run id (<see cref="IBillingSheetStore"/>) and the job serves that run's sheet once
/// the run succeeded. A run cut short by a shutdown is recorded as queued again; a job found queued or running with
/// no run here (after a restart or a crash) is run again from the start, so no job stays "running". Each state is
/// announced on the notifications feed (<see cref="BillingJobNotifications"/>).
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The run's cancellation source is disposed when that run ends.")]
[Reentrant] // Status reads interleave with the run on purpose; state changes happen between awaits, never across them.
internal sealed partial class BillingSheetJobGrain(
    NewsstandDb db,
    IBillingSheetStore sheets,
    SiloStopping stopping,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<BillingSheetJobGrain> logger) : Grain, IBillingSheetJobGrain
{
    /// <summary>What callers see of a failed run; the exception itself goes to the silo's log (with the job id).</summary>
    public const string FailedError = "The billing sheet could not be built; the silo's log has the cause under this job id.";

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(20);

    private BillingJobEntity? _job;
    private Task? _run;
    private CancellationTokenSource? _stop;
    private TaskCompletionSource<BillingJobStatus> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BillingJobNotifications? _notifications;

    private string JobId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _notifications = new BillingJobNotifications(this.NotificationStream(NotificationTopics.Jobs), logger);
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

    public async Task<BillingJobStatus> StartAsync(DateOnly billingDate, IdempotencyRecord? answer = null)
    {
        if (_job is { } existing)
        {
            return existing.View;
        }
        var job = new BillingJobEntity(JobId, billingDate, JobStates.Queued, 0, 0, 0, null, BillingSheetWriter.FileNameOf(billingDate), null,
            Now(), null, null, 0);
        try
        {
            await (answer is null ? db.InsertAsync(job)
                : db.WriteUnitAsync(new WriteRow(job, EntityState.Added), new WriteRow(answer with { CreatedAtMs = job.CreatedAt.ToUnixTimeMilliseconds() }, EntityState.Added)));
        }
        catch (CommitOutcomeUnknownException)
        {
            // The row may be stored: a new activation reads it (and resumes the job when asked about it).
            DeactivateOnIdle();
            throw;
        }
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
        var any = false;
        if (job.SheetRun is { } run)
        {
            await foreach (var part in sheets.ReadAsync(job.Id, run))
            {
                any = true;
                yield return part;
            }
        }
        if (!any)
        {
            // A later job of the same date replaced it (a date keeps its latest sheet).
            throw new WorkloadNotFoundException($"The sheet {job.FileName} of billing job {job.Id}");
        }
    }

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
        // Unique per run, so runs of one job (after a restart, or on two silos) never share parts.
        var run = Guid.NewGuid().ToString("N");
        try
        {
            _job = _job! with
            {
                Status = JobStates.Running, StartedAt = Now(), FinishedAt = null, Attempts = _job.Attempts + 1,
                RowsScanned = 0, RowsTotal = 0, Lines = 0, TotalPayable = null, Error = null, SheetRun = null,
            };
            await SaveAsync();
            await PublishAsync();
            var built = await BuildSheetAsync(run, cancellationToken);
            _job = _job with
            {
                Status = JobStates.Succeeded, RowsScanned = built.RowsScanned, Lines = built.Lines, TotalPayable = built.Total,
                FinishedAt = Now(), SheetRun = run,
            };
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
            _job = _job! with { Status = JobStates.Failed, Error = FailedError, FinishedAt = Now() };
            await TrySaveAsync();
        }
        finally
        {
            _run = null;
            _stop?.Dispose();
            _stop = null;
        }
        await TryDiscardOldSheetsAsync();
        await PublishAsync();
        if (!JobStates.IsActive(_job.Status))
        {
            _finished.TrySetResult(_job.View);
        }
    }

    private async Task<BillingSheetBuilder.Progress> BuildSheetAsync(string run, CancellationToken cancellationToken)
    {
        var lastReport = time.GetTimestamp();
        await using var sheet = new BillingSheetWriter(sheets, JobId, run, _job!.BillingDate);
        var built = await new BillingSheetBuilder(GrainFactory).BuildAsync(_job.BillingDate, sheet, async progress =>
        {
            _job = _job with { RowsScanned = progress.RowsScanned, RowsTotal = progress.RowsTotal, Lines = progress.Lines };
            if (time.GetElapsedTime(lastReport) >= ProgressInterval)
            {
                lastReport = time.GetTimestamp();
                await SaveAsync();
                await PublishAsync();
            }
        }, cancellationToken);
        await sheet.CommitAsync();
        return built;
    }

    /// <summary>Parts of runs the job does not serve (cut short, failed) are deleted; a succeeded job's sheet replaces the
    /// earlier sheets of its date. Whatever fails here leaves them for the date's next job; the job's own state stands.</summary>
    private async Task TryDiscardOldSheetsAsync()
    {
        var job = _job!;
        try
        {
            await sheets.DiscardOtherRunsAsync(job.Id, job.SheetRun);
            if (job.Status == JobStates.Succeeded)
            {
                await sheets.DiscardEarlierSheetsAsync(job.BillingDate, job.Id);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogNotDiscarded(job.Id, error.GetType().Name);
        }
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

    private Task PublishAsync() => _notifications!.PublishAsync(_job!, Now());

    [LoggerMessage(Level = LogLevel.Information, Message = "Billing job {JobId} was {Status} with nobody running it; running it again.")]
    private partial void LogResuming(string jobId, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Billing job {JobId} failed.")]
    private partial void LogFailed(Exception error, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Billing job {JobId} could not record its state {Status} ({Error}).")]
    private partial void LogNotSaved(string jobId, string status, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Billing job {JobId} could not delete sheets it no longer serves ({Error}).")]
    private partial void LogNotDiscarded(string jobId, string error);
}
