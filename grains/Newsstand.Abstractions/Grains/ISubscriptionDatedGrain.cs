namespace Newsstand.Grains;

/// <summary>The reactive filter of <c>POST /ch08/subscription/dated</c> (key: one answer), streamed while it is read.</summary>
public interface ISubscriptionDatedGrain : IGrainWithGuidKey
{
    /// <summary>Every subscription purchased from <paramref name="minDate"/> to <paramref name="maxDate"/> (both included),
    /// in id order, as <c>"&lt;branch&gt; &lt;price*qty&gt; &lt;date_purchased&gt;"</c>, handed over as the caller pulls.</summary>
    IAsyncEnumerable<string> FilterAsync(DateOnly minDate, DateOnly maxDate);
}
