using Newsstand.Records;
using Newsstand.Tables;

namespace Newsstand.Tests.Grains;

/// <summary>The table index's kept chunk renderings: bounded by bytes, the least recently used dropped first, a chunk kept only when asked for again.</summary>
public sealed class RenderedChunkCacheTests
{
    [Fact]
    public void AChunkIsAdmittedOnlyWhenAskedForAgainAmongTheRecentOnes()
    {
        var cache = new RenderedChunkCache(1024 * 1024);

        Assert.False(cache.Admits(7));
        Assert.True(cache.Admits(7));
        for (var chunk = 100; chunk < 100 + RenderedChunkCache.RecentChunks; chunk++)
        {
            Assert.False(cache.Admits(chunk));
        }
        // 7 has left the recent chunks: asked for again, it counts as once.
        Assert.False(cache.Admits(7));
    }

    [Fact]
    public void WhatIsKeptStaysWithinTheCapacityAndTheLeastRecentlyUsedGoesFirst()
    {
        var one = Rendering(100);
        var cache = new RenderedChunkCache(3 * one.Bytes);
        cache.Keep(1, one);
        cache.Keep(2, Rendering(100));
        cache.Keep(3, Rendering(100));
        Assert.NotNull(cache.Find(1));

        cache.Keep(4, Rendering(100));

        Assert.Equal(3 * one.Bytes, cache.Bytes);
        Assert.Null(cache.Find(2));
        Assert.NotNull(cache.Find(1));
        Assert.NotNull(cache.Find(3));
        Assert.NotNull(cache.Find(4));
    }

    [Fact]
    public void AWithdrawnChunkIsGoneAndItsBytesAreFreed()
    {
        var cache = new RenderedChunkCache(1024 * 1024);
        cache.Keep(5, Rendering(10));

        cache.Withdraw(5);

        Assert.Null(cache.Find(5));
        Assert.Equal(0, cache.Bytes);
    }

    private static RenderedChunk Rendering(int rows) =>
        new(new ChunkRendering(new byte[rows * 10], [.. Enumerable.Range(1, rows)], [.. Enumerable.Range(1, rows).Select(i => (i * 11) - 1)]));
}
