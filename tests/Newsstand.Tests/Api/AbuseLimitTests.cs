using System.Net;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// Password routes are rate limited per username and per client address (the edge client allows
/// 3 verifies per username and 6 per address, 2 adds per username and 4 per address, per hour).
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class AbuseLimitTests(ClusterFixture fixture)
{
    [Fact]
    public async Task VerifyIsLimitedPerUsernameWhateverTheAddress()
    {
        var edge = await fixture.EdgeAsync();
        using var first = edge.CreateClient(KestrelWebClient.FreshLoopbackAddress());
        using var second = edge.CreateClient(KestrelWebClient.FreshLoopbackAddress());
        var username = "target-" + Ids.Next();

        var allowed = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var attempt = await Verify(first, username);
            allowed.Add(attempt.StatusCode);
        }
        using var limited = await Verify(first, username);
        using var elsewhere = await Verify(second, username);
        using var otherUser = await Verify(second, "other-" + Ids.Next());

        Assert.All(allowed, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        await AssertLimitedAsync(limited);
        await AssertLimitedAsync(elsewhere);
        Assert.Equal(HttpStatusCode.Unauthorized, otherUser.StatusCode);
    }

    [Fact]
    public async Task VerifyIsLimitedPerAddressWhateverTheUsername()
    {
        var edge = await fixture.EdgeAsync();
        using var spraying = edge.CreateClient(KestrelWebClient.FreshLoopbackAddress());
        using var bystander = edge.CreateClient(KestrelWebClient.FreshLoopbackAddress());

        var allowed = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var attempt = await Verify(spraying, "spray-" + Ids.Next());
            allowed.Add(attempt.StatusCode);
        }
        using var limited = await Verify(spraying, "spray-" + Ids.Next());
        using var unaffected = await Verify(bystander, "spray-" + Ids.Next());

        Assert.All(allowed, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        await AssertLimitedAsync(limited);
        Assert.Equal(HttpStatusCode.Unauthorized, unaffected.StatusCode);
    }

    [Fact]
    public async Task AddIsLimitedPerUsernameAndPerAddress()
    {
        var edge = await fixture.EdgeAsync();
        using var http = edge.CreateClient(KestrelWebClient.FreshLoopbackAddress());
        using var other = edge.CreateClient(KestrelWebClient.FreshLoopbackAddress());
        var username = "adder-" + Ids.Next();

        using var added = await http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next(), username));
        using var taken = await http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next(), username));
        var limitedId = Ids.Next();
        using var sameName = await other.PostAsync("/ch08/login/add", Bodies.Login(limitedId, username));
        using var third = await http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next()));
        using var fourth = await http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next()));
        var overId = Ids.Next();
        using var overAddress = await http.PostAsync("/ch08/login/add", Bodies.Login(overId));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.OK, HttpStatusCode.OK],
            [added.StatusCode, taken.StatusCode, third.StatusCode, fourth.StatusCode]);
        await AssertLimitedAsync(sameName);
        await AssertLimitedAsync(overAddress);
        var logins = await fixture.Http.ListAsync("/ch08/login/list/all");
        Assert.DoesNotContain(logins, l => (int)l!["id"]! is var id && (id == limitedId || id == overId));
    }

    private static Task<HttpResponseMessage> Verify(HttpClient http, string username) =>
        http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = username, ["password"] = "guessed-password" });

    private static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {response.Headers.RetryAfter}");
        var problem = await Bodies.ProblemAsync(response);
        Assert.Equal(429, (int?)problem["status"]);
    }
}
