using Newsstand.Records;

namespace Newsstand.Tests.Infrastructure;

/// <summary>Fresh ids per test: table owners are shared, so tests never reuse a key.</summary>
internal static class Ids
{
    private static int _next = 1000;
    // Whole chunks for tests about chunk layout, far above the ids Next() hands out.
    private static long _nextChunk = 900_000_000 / TableSchema.ChunkSize;

    public static int Next() => Interlocked.Increment(ref _next);

    /// <summary>The first id of <paramref name="count"/> consecutive chunks no other test uses.</summary>
    public static int Chunks(int count) => TableSchema.IdsOf(Interlocked.Add(ref _nextChunk, count) - count).First;
}
