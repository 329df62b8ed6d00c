using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Newsstand.Workloads;

/// <summary>
/// The sales quota evaluation: a System.Reactive pipeline fed by the batched scan of the sales table. The scan
/// pushes each sale into the pipeline on this grain's turn; each sale is evaluated in its own inner sequence,
/// so a sale whose evaluation fails becomes a failed evaluation instead of ending the stream. Evaluations are
/// published on the <c>quota</c> topic batch by batch before the scan goes on, so nothing piles up.
/// </summary>
[Reentrant] // Runs and reads interleave on purpose; the run's state changes between awaits only.
[KeepAlive] // The latest run lives in this activation (until the silo restarts).
internal sealed partial class SalesQuotaGrain([FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<SalesQuotaGrain> logger)
    : Grain, ISalesQuotaGrain
{
    public const int ScanBatch = 256;

    private QuotaRun? _latest;
    private bool _running;
    private bool _again;

    public Task<QuotaRun> StartAsync()
    {
        if (_running)
        {
            _again = true;
            return Task.FromResult(_latest!);
        }
        _running = true;
        _latest = NewRun();
        _ = RunAsync();
        return Task.FromResult(_latest);
    }

    public Task<QuotaRun?> GetLatestAsync() => Task.FromResult(_latest);

    /// <summary>The quota rule; a sale whose numbers overflow cannot be judged and throws.</summary>
    public static QuotaEvaluation Evaluate(string runId, SalesRecord sale)
    {
        var cost = sale.CopiesIssued * 5.0;
        var projected = cost - sale.Revenue;
        var gap = projected - sale.Profit;
        if (!double.IsFinite(gap))
        {
            throw new ArithmeticException($"The quota gap of sale {sale.Id} is not a finite number.");
        }
        return new QuotaEvaluation(runId, sale.Id, cost, projected, sale.Profit, gap <= 0, null);
    }

    private QuotaRun NewRun() => new(Guid.NewGuid().ToString("N"), QuotaRunStates.Running, time.GetUtcNow(), null, 0, 0, 0, 0, null, null);

    private async Task RunAsync()
    {
        try
        {
            do
            {
                if (_again)
                {
                    _again = false;
                    _latest = NewRun();
                }
                await RunOnceAsync(_latest!.RunId);
            }
            while (_again);
        }
        finally
        {
            _running = false;
        }
    }

    private async Task RunOnceAsync(string runId)
    {
        var stream = this.NotificationStream(NotificationTopics.Quota);
        var evaluated = new List<QuotaEvaluation>(ScanBatch);
        try
        {
            using var sales = new Subject<SalesRecord>();
            using var pipeline = sales
                .SelectMany(sale => Observable.Return(sale)
                    .Select(s => Evaluate(runId, s))
                    .Catch((Exception error) => Observable.Return(new QuotaEvaluation(runId, sale.Id, null, null, sale.Profit, false, error.Message))))
                .Subscribe(evaluated.Add);
            await foreach (var batch in GrainFactory.ScanBatchesAsync<SalesRecord>(ScanBatch))
            {
                // Each sale is evaluated as it is pushed (the pipeline is synchronous): the batch's evaluations are all in.
                foreach (var sale in batch)
                {
                    sales.OnNext(sale);
                }
                await PublishAsync(stream, evaluated);
            }
            sales.OnCompleted();
            _latest = _latest! with { Status = QuotaRunStates.Completed, FinishedAt = time.GetUtcNow() };
        }
        catch (Exception error)
        {
            // Nothing awaits this run: whatever ends it is recorded on the run, never left unobserved.
            LogRunFailed(error, runId);
            _latest = _latest! with { Status = QuotaRunStates.Failed, FinishedAt = time.GetUtcNow(), Error = error.GetType().Name };
        }
    }

    private async Task PublishAsync(IAsyncStream<Notification> stream, List<QuotaEvaluation> evaluations)
    {
        foreach (var evaluation in evaluations)
        {
            var name = evaluation.Error is not null ? "quota.failed" : evaluation.MeetsQuota ? "quota.met" : "quota.missed";
            await stream.OnNextAsync(NotificationStreams.Create($"{evaluation.RunId}-{evaluation.SaleId}", name, evaluation, time.GetUtcNow()));
            _latest = _latest! with
            {
                Evaluated = _latest.Evaluated + 1,
                Met = _latest.Met + (evaluation.Error is null && evaluation.MeetsQuota ? 1 : 0),
                Missed = _latest.Missed + (evaluation.Error is null && !evaluation.MeetsQuota ? 1 : 0),
                Errors = _latest.Errors + (evaluation.Error is not null ? 1 : 0),
                Last = evaluation,
            };
        }
        evaluations.Clear();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sales quota run {RunId} failed.")]
    private partial void LogRunFailed(Exception error, string runId);
}
