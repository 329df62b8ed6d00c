using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>List answers carry the table's version as a strong ETag and answer If-None-Match with 304 (RFC 9110 §13.1.2).</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class ConditionalListTests(ClusterFixture fixture)
{
    private const string Page = "/ch08/vendor/list?limit=5";
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task TheTagStaysWithoutWritesAndMovesWithAnAdd()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        var first = await TagAsync(Page);
        Assert.False(first.IsWeak);
        Assert.Equal(first, await TagAsync(Page));
        Assert.NotEqual(first, await TagAsync("/ch08/vendor/list?limit=5&offset=1"));

        await _http.AddAsync("vendor", Bodies.Vendor(Ids.Next(), loginId));

        Assert.NotEqual(first, await TagAsync(Page));
    }

    [Fact]
    public async Task AMatchingTagIsAnswered304WithoutABodyAndWithTheSameHeaders()
    {
        await _http.AddLoginAndVendorAsync();
        var tag = await TagAsync(Page);

        foreach (var ifNoneMatch in new[] { tag.ToString(), $"W/{tag}", $"\"other\", {tag}", "*" })
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                using var response = await SendAsync(method, Page, ifNoneMatch);
                Assert.True(HttpStatusCode.NotModified == response.StatusCode, $"{method} If-None-Match: {ifNoneMatch} answered {response.StatusCode}");
                Assert.Equal(tag, response.Headers.ETag);
                Assert.True(response.Headers.CacheControl?.NoCache);
                Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            }
        }
    }

    [Fact]
    public async Task AStaleOrForeignTagGetsTheWholeList()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        for (var i = 0; i < 4; i++)
        {
            await _http.AddAsync("vendor", Bodies.Vendor(Ids.Next(), loginId));
        }
        var stale = await TagAsync(Page);
        await _http.AddAsync("vendor", Bodies.Vendor(Ids.Next(), loginId));

        foreach (var ifNoneMatch in new[] { stale.ToString(), "\"other\"", "not a tag list" })
        {
            using var response = await SendAsync(HttpMethod.Get, Page, ifNoneMatch);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEqual(stale, response.Headers.ETag);
            Assert.Equal(5, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Count);
        }
    }

    [Fact]
    public async Task HeadCarriesTheTagOfGet()
    {
        await _http.AddLoginAndVendorAsync();
        using var head = await SendAsync(HttpMethod.Head, Page, null);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(await TagAsync(Page), head.Headers.ETag);
        Assert.True(head.Headers.CacheControl?.NoCache);
    }

    [Fact]
    public async Task EveryTableListIsTagged()
    {
        foreach (var path in new[] { "/ch08/vendor/list", "/ch08/publication/list", "/ch08/content/list", "/ch08/subscription/list/all", "/ch08/login/list/all" })
        {
            Assert.NotNull(await TagAsync(path));
        }
    }

    private async Task<EntityTagHeaderValue> TagAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoCache, path);
        return response.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"{path} answered without an ETag");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? ifNoneMatch)
    {
        using var request = new HttpRequestMessage(method, path);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        return await _http.SendAsync(request);
    }
}
