namespace Newsstand.Grains;

/// <summary>The reactive filter of <c>POST /ch08/subscription/dated</c>.</summary>
public interface ISubscriptionDatedGrain : IGrainWithIntegerKey
{
    /// <summary>Every subscription purchased from <paramref name="minDate"/> to <paramref name="maxDate"/> (both included),
    /// in id order, as <c>"&lt;branch&gt; &lt;price*qty&gt; &lt;date_purchased&gt;"</c>.</summary>
    Task<IReadOnlyList<string>> FilterAsync(DateOnly minDate, DateOnly maxDate);
}
