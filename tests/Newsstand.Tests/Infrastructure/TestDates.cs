namespace Newsstand.Tests.Infrastructure;

/// <summary>Dates no other test uses, for workloads keyed by a date (billing sheets, payable totals, dated filters).</summary>
internal static class TestDates
{
    private static int _next;

    public static DateOnly Next() => new DateOnly(2100, 1, 1).AddDays(Interlocked.Increment(ref _next) * 3);

    public static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
