using System.Net;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>A list's tag after a silo restart: the table's write count starts again, the tag must not come back.</summary>
[Collection(FakeTimeClusterDefinition.Name)]
public sealed class ConditionalListRestartTests(FakeTimeClusterFixture fixture)
{
    [Fact]
    public async Task ATagFromBeforeARestartIsNeverAnswered304()
    {
        using var http = fixture.CreateHttpClient();
        var (loginId, _) = await http.AddLoginAndVendorAsync();
        await http.AddAsync("vendor", Bodies.Vendor(Ids.Next(), loginId));
        using var before = await http.GetAsync("/ch08/vendor/list");
        var tag = before.Headers.ETag!;
        var rows = await before.Content.ReadAsStringAsync();

        await fixture.RestartSiloAsync();
        // As many writes as before the restart, so a bare write count would be back where the old tag had it.
        await http.AddAsync("vendor", Bodies.Vendor(Ids.Next(), loginId));
        await http.AddAsync("vendor", Bodies.Vendor(Ids.Next(), loginId));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/ch08/vendor/list");
        request.Headers.IfNoneMatch.Add(tag);
        using var after = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(tag, after.Headers.ETag);
        Assert.NotEqual(rows, await after.Content.ReadAsStringAsync());
    }
}
