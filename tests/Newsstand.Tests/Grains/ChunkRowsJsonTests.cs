using System.Text;
using System.Text.Json;
using Newsstand.Records;
using Newsstand.Tables;

namespace Newsstand.Tests.Grains;

/// <summary>A chunk's rows rendered as JSON into the thread's reused buffer: the same bytes as serializing them, render after render.</summary>
public sealed class ChunkRowsJsonTests
{
    private static readonly Func<VendorRecord, VendorRecord> AsIs = row => row;

    [Fact]
    public void APageIsTheSameBytesAsTheRowsSerializedOneByOne()
    {
        var rows = Rows(1, 300, name => name);

        var page = rows.Json(new ChunkRead(100, 50, 100, 48 * 1024, Passing: false), AsIs);

        Assert.Equal(Elements(Records(151, 100, name => name)), Encoding.UTF8.GetString(page.Content));
        Assert.Equal((100, 50, 250, false), (page.Count, page.Skipped, page.LastId, page.End));
    }

    [Fact]
    public void ASmallRenderAfterALargeOneOnTheSameThreadCarriesNothingOfIt()
    {
        var rows = Rows(1, 200, name => name);
        rows.Json(new ChunkRead(0, 0, 200, 48 * 1024, Passing: false), AsIs);

        var small = rows.Json(new ChunkRead(0, 0, 2, 48 * 1024, Passing: false), AsIs);
        var last = rows.Json(new ChunkRead(199, 0, 10, 48 * 1024, Passing: false), AsIs);

        Assert.Equal(Elements(Records(1, 2, name => name)), Encoding.UTF8.GetString(small.Content));
        Assert.Equal(Elements(Records(200, 1, name => name)), Encoding.UTF8.GetString(last.Content));
        Assert.True(last.End);
    }

    [Fact]
    public void ARowLargerThanTheBufferIsRenderedWholeAndLaterPagesStayRight()
    {
        // One row of about 120 KB: past the byte bound (rendered alone) and past the reused buffer's size.
        var huge = Rows(1, 3, name => name == "first-2" ? new string('x', 120_000) : name);
        var page = huge.Json(new ChunkRead(1, 0, 10, 48 * 1024, Passing: false), AsIs);

        var next = huge.Json(new ChunkRead(2, 0, 10, 48 * 1024, Passing: false), AsIs);

        Assert.Equal(1, page.Count);
        Assert.Equal(Elements(Records(1, 3, name => name == "first-2" ? new string('x', 120_000) : name).Skip(1).Take(1)), Encoding.UTF8.GetString(page.Content));
        Assert.Equal(1, next.Count);
        Assert.Equal(Elements(Records(3, 1, name => name)), Encoding.UTF8.GetString(next.Content));
    }

    [Fact]
    public void ThePageStopsAtTheByteBoundAfterTheRowThatCrossesIt()
    {
        var rows = Rows(1, 100, name => name);
        var one = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(Records(1, 1, name => name)[0], NewsstandJson.Options));
        // The bytes counted include the earlier renders' on this thread only if the writer was not reset.
        rows.Json(new ChunkRead(0, 0, 100, 48 * 1024, Passing: false), AsIs);

        // "[" and five rows with their commas come to 5 * one + 5 bytes: below the bound, so a sixth row follows.
        var page = rows.Json(new ChunkRead(0, 0, 100, (one * 5) + 6, Passing: false), AsIs);

        Assert.Equal(6, page.Count);
        Assert.Equal(Elements(Records(1, 6, name => name)), Encoding.UTF8.GetString(page.Content));
    }

    [Fact]
    public void AKeptRenderingOfTheWholeChunkAnswersEveryReadByteForByteAsTheChunkDoes()
    {
        // Ids with gaps, rows of different lengths (escaped quotes, non-ASCII), so byte bounds fall at many places.
        var rows = new ChunkRows<VendorRecord>([.. Records(1, 120, name => new string('é', name[^1] - '0') + "\"" + name)
            .Where(r => r.Id % 4 != 0)]);
        var rendered = new RenderedChunk(rows.Render(AsIs));
        var reads = 0;

        foreach (var afterId in new[] { 0, 1, 4, 37, 119, 200 })
        {
            foreach (var skip in new[] { 0, 1, 30, 89, 90, 500 })
            {
                foreach (var maxRows in new[] { 1, 7, 100 })
                {
                    foreach (var maxBytes in new[] { 1, 150, 151, 152, 2_000, 48 * 1024 })
                    {
                        var read = new ChunkRead(afterId, skip, maxRows, maxBytes, Passing: false);
                        var direct = rows.Json(read, AsIs);
                        var kept = rendered.Json(read);
                        Assert.Equal(Encoding.UTF8.GetString(direct.Content), Encoding.UTF8.GetString(kept.Content));
                        Assert.Equal((direct.Count, direct.Skipped, direct.LastId, direct.End), (kept.Count, kept.Skipped, kept.LastId, kept.End));
                        reads++;
                    }
                }
            }
        }
        Assert.Equal(6 * 6 * 3 * 6, reads);
    }

    private static ChunkRows<VendorRecord> Rows(int first, int count, Func<string, string> name) => new(Records(first, count, name));

    private static List<VendorRecord> Records(int first, int count, Func<string, string> name) =>
        [.. Enumerable.Range(first, count).Select(id => new VendorRecord(id, name($"first-{id}"), "Last \"quoted\" é", $"rep-{id}",
            new DateOnly(2020, 1, 2), "Account", $"{id:D8}", new DateOnly(2021, 3, 4), 7))];

    private static string Elements(IEnumerable<VendorRecord> rows) => string.Join(",", rows.Select(r => JsonSerializer.Serialize(r, NewsstandJson.Options)));
}
