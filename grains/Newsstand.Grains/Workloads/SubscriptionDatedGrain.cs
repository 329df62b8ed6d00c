using System.Globalization;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Extensions.Logging;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// The dated subscriptions: a reactive filter and map (System.Reactive) fed by the batched scan of the
/// subscription table. The scan pushes each row into the pipeline on this grain's turn, so the operators run
/// synchronously between the scan's awaits; what they let through is yielded as the caller pulls, so the silo holds
/// one scan batch per answer and a caller that stops pulling stops the scan.
/// </summary>
// One activation per answer, let go at once when its caller leaves mid-answer (StreamedAnswer); the age limit
// collects those of finished answers.
[CollectionAgeLimit(Minutes = 2)]
internal sealed class SubscriptionDatedGrain(ILogger<SubscriptionDatedGrain> logger) : Grain, ISubscriptionDatedGrain
{
    public const int ScanBatch = 512;

    public IAsyncEnumerable<string> FilterAsync(DateOnly minDate, DateOnly maxDate) => ScanAsync(minDate, maxDate).EndingWith(this, logger);

    private async IAsyncEnumerable<string> ScanAsync(DateOnly minDate, DateOnly maxDate)
    {
        var matches = new Queue<string>();
        using var subscriptions = new Subject<SubscriptionRecord>();
        using var pipeline = subscriptions
            .Where(s => s.DatePurchased >= minDate && s.DatePurchased <= maxDate)
            .Select(Describe)
            .Subscribe(matches.Enqueue);
        await foreach (var subscription in GrainFactory.ScanAsync<SubscriptionRecord>(ScanBatch))
        {
            subscriptions.OnNext(subscription);
            while (matches.TryDequeue(out var match))
            {
                yield return match;
            }
        }
        subscriptions.OnCompleted();
    }

    /// <summary><c>"&lt;branch&gt; &lt;price*qty&gt; &lt;date_purchased&gt;"</c>, the amount written as the original (Python) wrote floats.</summary>
    public static string Describe(SubscriptionRecord subscription) =>
        $"{subscription.Branch} {PythonFloat(subscription.Price * subscription.Qty)} {subscription.DatePurchased.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>Shortest round-trip digits, with ".0" on whole numbers (37.5, 24.0), as Python's str(float).</summary>
    public static string PythonFloat(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(value) && !text.Contains('.', StringComparison.Ordinal) && !text.Contains('E', StringComparison.Ordinal) ? text + ".0" : text;
    }
}
