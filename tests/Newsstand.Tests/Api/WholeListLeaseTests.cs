using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Api.Apis;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;
using Orleans.Core.Internal;

namespace Newsstand.Tests.Api;

/// <summary>
/// Separate web clients answer a whole list, and pages inside the chunk renderings the index sent with earlier pages,
/// from memory under a lease from the table's index (<see cref="LeasedWholeLists"/>); the index revokes every lease, or waits until it has ended, before it
/// acknowledges a write, so a write answered through one web client is seen by the next read through another.
/// Its own cluster: the vendor list stays one small slice (a longer list is never leased), whatever other tests add.
/// </summary>
public sealed class WholeListLeaseTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task AWriteThroughOneWebClientIsSeenByTheNextReadThroughAnother()
    {
        var (reader, leases) = WebClient();
        var writer = WebClient().Http;
        var (loginId, _) = await writer.AddLoginAndVendorAsync();
        using var first = await reader.GetAsync("/ch08/vendor/list");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotNull(leases.Of<VendorRecord>().Current);

        for (var i = 0; i < 20; i++)
        {
            var id = Ids.Next();
            await writer.AddAsync("vendor", Bodies.Vendor(id, loginId));
            Assert.Contains(await reader.ListAsync("/ch08/vendor/list"), vendor => (int)vendor!["id"]! == id);
            var leased = leases.Of<VendorRecord>().Current ?? throw new Xunit.Sdk.XunitException("the reader holds no lease after a read");
            Assert.Contains(System.Text.Json.Nodes.JsonNode.Parse([.. "["u8, .. leased.Json, .. "]"u8])!.AsArray(), vendor => (int)vendor!["id"]! == id);
        }

        // The tag of a leased list is the index's: unchanged it is 304, after a write through the other client it is not.
        using var current = await reader.GetAsync("/ch08/vendor/list");
        Assert.Equal(HttpStatusCode.NotModified, (await ConditionalAsync(reader, current.Headers.ETag!)).StatusCode);
        await writer.AddAsync("vendor", Bodies.Vendor(Ids.Next(), loginId));
        Assert.Equal(HttpStatusCode.OK, (await ConditionalAsync(reader, current.Headers.ETag!)).StatusCode);
    }

    [Fact]
    public async Task ANewIndexActivationAcknowledgesNoWriteWhileALeaseOfTheOldOneMayHold()
    {
        var (reader, leases) = WebClient();
        var writer = WebClient().Http;
        var (loginId, _) = await writer.AddLoginAndVendorAsync();
        var index = fixture.Grains.TableIndex<VendorRecord>();
        await reader.ListAsync("/ch08/vendor/list");
        Assert.NotNull(leases.Of<VendorRecord>().Current);
        var before = await index.VersionAsync();

        await index.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var id = Ids.Next();
        await writer.AddAsync("vendor", Bodies.Vendor(id, loginId));

        // The write's report went to a new activation, which knew nothing of the reader's lease.
        Assert.NotEqual(before.Epoch, (await index.VersionAsync()).Epoch);
        Assert.Contains(await reader.ListAsync("/ch08/vendor/list"), vendor => (int)vendor!["id"]! == id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AWriteWaitsOutTheLeaseOfAHolderThatDoesNotAcknowledgeAndIsThenAcknowledged(bool fails)
    {
        var writer = WebClient().Http;
        // A first write: the index is past its own first lease (a new activation waits one out), so what the
        // write below waits for is the holder.
        var (loginId, _) = await writer.AddLoginAndVendorAsync();
        var holder = new UnansweringHolder(fails);
        var reference = fixture.Grains.CreateObjectReference<IWholeListHolder>(holder);
        try
        {
            var sent = Stopwatch.GetTimestamp();
            var leased = await fixture.Grains.TableIndex<VendorRecord>().ReadLeasedAsync(reference, TimeSpan.FromSeconds(2));
            Assert.True(leased.Lease > TimeSpan.Zero);

            var id = Ids.Next();
            await writer.AddAsync("vendor", Bodies.Vendor(id, loginId));
            var acknowledgedAfter = Stopwatch.GetElapsedTime(sent);

            Assert.True(holder.Asked.Task.IsCompleted, "the index never asked the holder to drop its lease");
            // Not a timing measure: the order the rule demands (the holder may answer the old list until its lease ends).
            Assert.True(acknowledgedAfter >= leased.Lease, $"acknowledged {acknowledgedAfter} after the lease was asked for; the lease lasts {leased.Lease}");
            Assert.Contains(await writer.ListAsync("/ch08/vendor/list"), vendor => (int)vendor!["id"]! == id);
        }
        finally
        {
            fixture.Grains.DeleteObjectReference<IWholeListHolder>(reference);
        }
    }

    [Fact]
    public async Task AWriteReportedWhileAnEarlierOneWaitsForAHolderIsNotAcknowledgedBeforeTheHolderLetsGo()
    {
        var writer = WebClient().Http;
        var (loginId, _) = await writer.AddLoginAndVendorAsync();
        var holder = new UnansweringHolder(fails: false);
        var reference = fixture.Grains.CreateObjectReference<IWholeListHolder>(holder);
        try
        {
            var sent = Stopwatch.GetTimestamp();
            var leased = await fixture.Grains.TableIndex<VendorRecord>().ReadLeasedAsync(reference, TimeSpan.FromSeconds(2));
            Assert.True(leased.Lease > TimeSpan.Zero);
            // Two chunks: each reports on its own, so the later report reaches the index while the earlier one waits.
            var first = Ids.Chunks(2);
            var earlier = writer.AddAsync("vendor", Bodies.Vendor(first, loginId));
            await holder.Asked.Task.WaitAsync(TimeSpan.FromSeconds(30));

            await writer.AddAsync("vendor", Bodies.Vendor(first + TableSchema.ChunkSize, loginId));
            var laterAcknowledgedAfter = Stopwatch.GetElapsedTime(sent);

            // The holder may answer the list from before both writes until its lease ends: the later write too waits for that.
            Assert.True(laterAcknowledgedAfter >= leased.Lease, $"the later write was acknowledged {laterAcknowledgedAfter} after the lease was asked for; the lease lasts {leased.Lease}");
            await earlier;
        }
        finally
        {
            fixture.Grains.DeleteObjectReference<IWholeListHolder>(reference);
        }
    }

    [Fact]
    public async Task APageWrittenThroughOneWebClientIsSeenByTheNextPageReadThroughAnotherThatHeldItsChunk()
    {
        var (reader, leases) = WebClient();
        var writer = WebClient().Http;
        var (loginId, _) = await writer.AddLoginAndVendorAsync();
        var first = await ChunkOfItsOwnAsync(writer, loginId, 0, 2, 3);
        var offset = await OffsetOfAsync(reader, first);
        var read = new ListRead(0, offset, 2);
        var page = $"/ch08/vendor/list?limit=2&offset={offset}";
        await HoldChunkAsync(reader, leases, page);
        Assert.Equal([first, first + 2], IdsOf(await reader.ListAsync(page)));
        Assert.NotNull(leases.Of<VendorRecord>().Page(read));

        await writer.AddAsync("vendor", Bodies.Vendor(first + 1, loginId));

        // The write's revocation dropped the held chunk before the write was acknowledged (its lease still holds otherwise).
        Assert.Null(leases.Of<VendorRecord>().Page(read));
        Assert.Equal([first, first + 1], IdsOf(await reader.ListAsync(page)));
    }

    [Fact]
    public async Task APageAnsweredFromAHeldChunkIsWhatTheIndexAnswersAndKeepsItsTag()
    {
        var (reader, leases) = WebClient();
        var writer = WebClient().Http;
        var (loginId, _) = await writer.AddLoginAndVendorAsync();
        var first = await ChunkOfItsOwnAsync(writer, loginId, 0, 1, 2, 5, 9);
        var offset = await OffsetOfAsync(reader, first);
        var page = $"/ch08/vendor/list?limit=2&offset={offset}";
        await HoldChunkAsync(reader, leases, page);

        var index = fixture.Grains.TableIndex<VendorRecord>();
        // Inside the chunk, to its last row, and running past it (answered from memory only when no chunk with rows follows).
        foreach (var (skip, limit) in new[] { (0, 1), (0, 2), (1, 3), (2, 3), (4, 1), (3, 2), (3, 5), (4, 100) })
        {
            var read = new ListRead(0, offset + skip, limit);
            var held = leases.Of<VendorRecord>().Page(read);
            Assert.True(held is not null || skip + limit > 5, $"a page of {limit} from {skip} inside the held chunk was not answered from it");
            if (held is null)
            {
                continue;
            }
            var asked = await index.ReadJsonAsync(read);
            Assert.Equal(asked.Json, held.Json);
            Assert.Equal((asked.Count, asked.LastId, asked.Done, asked.Version), (held.Count, held.LastId, held.Done, held.Version));
        }

        // The tag of a held page is the index's: unchanged it is 304, after a write through the other client it is not.
        using var answered = await reader.GetAsync(page);
        Assert.NotNull(leases.Of<VendorRecord>().Page(new ListRead(0, offset, 2)));
        Assert.Equal(HttpStatusCode.NotModified, (await ConditionalAsync(reader, answered.Headers.ETag!, page)).StatusCode);
        await writer.AddAsync("vendor", Bodies.Vendor(first + 3, loginId));
        Assert.Equal(HttpStatusCode.OK, (await ConditionalAsync(reader, answered.Headers.ETag!, page)).StatusCode);
    }

    /// <summary>Vendors at <paramref name="offsets"/> from the first id of a chunk no other test uses; answers that id.</summary>
    private static async Task<int> ChunkOfItsOwnAsync(HttpClient writer, int loginId, params int[] offsets)
    {
        var first = Ids.Chunks(1);
        foreach (var at in offsets)
        {
            await writer.AddAsync("vendor", Bodies.Vendor(first + at, loginId));
        }
        return first;
    }

    private static async Task<int> OffsetOfAsync(HttpClient reader, int id)
    {
        var offset = IdsOf(await reader.ListAsync("/ch08/vendor/list")).IndexOf(id);
        Assert.True(offset > 0, $"vendor {id} is not in the list after the table's first row");
        return offset;
    }

    /// <summary>
    /// Reads <paramref name="page"/> until the web client holds its chunk: the index renders a chunk pages asked for
    /// twice, and a web client asks for renderings only once its table went a lease without a write.
    /// </summary>
    private static async Task HoldChunkAsync(HttpClient reader, LeasedWholeLists leases, string page)
    {
        for (var i = 0; i < 300 && leases.Of<VendorRecord>().HeldChunks == 0; i++)
        {
            await reader.ListAsync(page);
            await Task.Delay(50);
        }
        Assert.True(leases.Of<VendorRecord>().HeldChunks > 0, "the web client never held the chunk its page lies in");
    }

    private static List<int> IdsOf(System.Text.Json.Nodes.JsonArray list) => [.. list.Select(vendor => (int)vendor!["id"]!)];

    private (HttpClient Http, LeasedWholeLists Leases) WebClient()
    {
        WebApplicationFactory<Program> web = fixture.CreateWebClient(ClusterFixture.UnlimitedAbuse);
        return (web.CreateClient(), web.Services.GetRequiredService<LeasedWholeLists>());
    }

    private static async Task<HttpResponseMessage> ConditionalAsync(HttpClient http, System.Net.Http.Headers.EntityTagHeaderValue tag, string path = "/ch08/vendor/list")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(tag);
        return await http.SendAsync(request);
    }

    /// <summary>A lease holder that never acknowledges a revocation: it never answers, or it fails.</summary>
    private sealed class UnansweringHolder(bool fails) : IWholeListHolder
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task RevokeAsync(string table)
        {
            Asked.TrySetResult();
            return fails ? Task.FromException(new InvalidOperationException("this holder cannot drop its lease")) : new TaskCompletionSource().Task;
        }
    }
}
