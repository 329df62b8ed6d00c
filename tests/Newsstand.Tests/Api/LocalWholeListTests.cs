using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// The co-hosted form answers a whole list its silo's index holds as current without a grain call
/// (<see cref="LocalWholeLists"/>); a write withdraws it before the write is acknowledged, so no read after an
/// acknowledged write misses it. Its own silo: the vendor list stays one small slice, whatever other tests add.
/// </summary>
public sealed class LocalWholeListTests : IAsyncLifetime
{
    private readonly CoHostedFixture _cohosted = new();

    public Task InitializeAsync() => _cohosted.InitializeAsync();

    public Task DisposeAsync() => _cohosted.DisposeAsync();

    [Fact]
    public async Task AWholeListIsAnsweredInTheSiloUntilAnAcknowledgedWriteHasWithdrawnIt()
    {
        var http = _cohosted.Http;
        var local = _cohosted.Services.GetRequiredService<LocalWholeLists>();
        var (loginId, vendorId) = await http.AddLoginAndVendorAsync();

        using var first = await http.GetAsync("/ch08/vendor/list");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var published = local.Find<VendorRecord>() ?? throw new Xunit.Sdk.XunitException("the index published no whole list");
        var body = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal([.. "["u8, .. published.Json, .. "]"u8], body);
        Assert.Contains(JsonNode.Parse(body)!.AsArray(), vendor => (int)vendor!["id"]! == vendorId);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/ch08/vendor/list");
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var notModified = await http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        for (var i = 0; i < 40; i++)
        {
            var id = Ids.Next();
            await http.AddAsync("vendor", Bodies.Vendor(id, loginId));
            Assert.Null(local.Find<VendorRecord>());
            var list = await http.ListAsync("/ch08/vendor/list");
            Assert.Contains(list, vendor => (int)vendor!["id"]! == id);
            Assert.NotNull(local.Find<VendorRecord>());
        }

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/ch08/vendor/list");
        stale.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var changed = await http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(first.Headers.ETag, changed.Headers.ETag);
    }

    [Fact]
    public async Task ConcurrentAddsAndWholeListReadsNeverMissAnAcknowledgedAdd()
    {
        var http = _cohosted.Http;
        var (loginId, _) = await http.AddLoginAndVendorAsync();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<int>();
        var writers = Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var i = 0; i < 25; i++)
            {
                var id = Ids.Next();
                await http.AddAsync("vendor", Bodies.Vendor(id, loginId));
                acknowledged.Add(id);
            }
        }).ToArray();
        var misses = new List<int>();
        var readers = Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!writers.All(writer => writer.IsCompleted))
            {
                var before = acknowledged.ToArray();
                var seen = (await http.ListAsync("/ch08/vendor/list")).Select(vendor => (int)vendor!["id"]!).ToHashSet();
                lock (misses)
                {
                    misses.AddRange(before.Where(id => !seen.Contains(id)));
                }
            }
        }).ToArray();
        await Task.WhenAll([.. writers, .. readers]);
        Assert.Equal(100, acknowledged.Count);
        Assert.Empty(misses);
    }
}
