namespace Newsstand.Tests.Infrastructure;

/// <summary>Fresh ids per test: table owners are shared, so tests never reuse a key.</summary>
internal static class Ids
{
    private static int _next = 1000;

    public static int Next() => Interlocked.Increment(ref _next);
}
