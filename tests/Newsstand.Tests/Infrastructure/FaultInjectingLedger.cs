using System.Collections.Concurrent;
using Newsstand.Errors;
using Newsstand.Workloads;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The billing ledger of a test silo with faults injected per billing date: a number of transient faults
/// (the database unavailable) before the real answer, or a permanent fault on every try. Dates without a
/// plan go straight to the database.
/// </summary>
internal sealed class FaultInjectingLedger(IBillingLedger database) : IBillingLedger
{
    private readonly ConcurrentDictionary<DateOnly, Plan> _plans = new();
    private readonly ConcurrentDictionary<DateOnly, int> _tries = new();

    public void FailTransiently(DateOnly date, int times) => _plans[date] = new Plan(times, Permanent: false);

    public void FailPermanently(DateOnly date) => _plans[date] = new Plan(0, Permanent: true);

    public int Tries(DateOnly date) => _tries.GetValueOrDefault(date);

    public Task<double> SumPayableAsync(DateOnly billingDate, CancellationToken cancellationToken)
    {
        var attempt = _tries.AddOrUpdate(billingDate, 1, (_, n) => n + 1);
        return _plans.GetValueOrDefault(billingDate) switch
        {
            { Permanent: true } => Task.FromException<double>(new InvalidDataException("injected permanent fault")),
            { } plan when attempt <= plan.TransientFailures => Task.FromException<double>(new StorageUnavailableException("injected transient fault", 7)),
            _ => database.SumPayableAsync(billingDate, cancellationToken),
        };
    }

    private sealed record Plan(int TransientFailures, bool Permanent);
}
