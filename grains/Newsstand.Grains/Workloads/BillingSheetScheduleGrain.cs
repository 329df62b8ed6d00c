using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Idempotency;

namespace Newsstand.Workloads;

/// <summary>
/// The billing sheet jobs of one date. Not reentrant: two requests for the same date are taken one after the
/// other, so the second finds the first one's job running and returns it instead of starting another.
/// </summary>
internal sealed class BillingSheetScheduleGrain(NewsstandDb db) : Grain, IBillingSheetScheduleGrain
{
    private DateOnly _date;
    private string? _current;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var date = DateOnly.ParseExact(this.GetPrimaryKeyString(), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        _date = date;
        _current = await db.ReadAsync(context => context.Set<BillingJobEntity>()
            .Where(j => j.BillingDate == date && (j.Status == JobStates.Queued || j.Status == JobStates.Running))
            .Select(j => j.Id)
            .FirstOrDefaultAsync(cancellationToken));
    }

    public Task<BillingJobStatus> StartAsync() => StartWithAsync(Guid.NewGuid().ToString("N"), answer: null);

    public Task<BillingJobStatus> StartKeyedAsync(string jobId, IdempotencyRecord answer) => StartWithAsync(jobId, answer);

    private async Task<BillingJobStatus> StartWithAsync(string id, IdempotencyRecord? answer)
    {
        if (_current is { } current)
        {
            var status = await GrainFactory.GetGrain<IBillingSheetJobGrain>(current).GetAsync();
            if (JobStates.IsActive(status.Status))
            {
                return status;
            }
        }
        BillingJobStatus started;
        try
        {
            started = await GrainFactory.GetGrain<IBillingSheetJobGrain>(id).StartAsync(_date, answer);
        }
        catch (CommitOutcomeUnknownException)
        {
            // Whether the job's row was stored only the database knows: the next activation reads the active job again.
            DeactivateOnIdle();
            throw;
        }
        _current = id;
        return started;
    }
}
