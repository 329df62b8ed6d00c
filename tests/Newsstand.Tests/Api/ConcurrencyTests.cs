using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>Many requests racing for one id or one username through the HTTP API: one wins, the others get 409, nothing else.</summary>
/// <remarks>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</remarks>
public abstract class ConcurrencyTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task AWholeListAskedAfterAnAddWasAnsweredHoldsItWhileOtherListsAreUnderWay()
    {
        var loginId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId));
        using var stop = new CancellationTokenSource();
        // Whole-list reads of the same table keep going meanwhile: a list asked later must not share an earlier call.
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var answer = await _http.GetAsync("/ch08/vendor/list", CancellationToken.None);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }
        })).ToArray();

        for (var n = 0; n < 20; n++)
        {
            var id = Ids.Next();
            await _http.AddAsync("vendor", Bodies.Vendor(id, loginId));
            var listed = await _http.GetFromJsonAsync<JsonArray>("/ch08/vendor/list");
            Assert.Contains(listed!, vendor => (int)vendor!["id"]! == id);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
    }

    [Fact]
    public async Task TwoHundredConcurrentAddsOfOneNewIdGiveOne200AndOnly409s()
    {
        var loginId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId));
        var id = Ids.Next();

        // Each racer sends its own account name, so the stored row tells which one won.
        var racers = Enumerable.Range(0, 200).Select(n =>
        {
            var body = Bodies.Vendor(id, loginId);
            body["account_name"] = $"racer{n}";
            return (Name: $"racer{n}", Answer: _http.PostAsync("/ch08/vendor/add", body));
        }).ToArray();
        var answers = await Task.WhenAll(racers.Select(r => r.Answer));

        var statuses = answers.Select(a => a.StatusCode).ToArray();
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == 1, Describe(statuses));
        Assert.True(statuses.Count(s => s == HttpStatusCode.Conflict) == 199, Describe(statuses));
        var winner = racers[Array.FindIndex(statuses, s => s == HttpStatusCode.OK)].Name;
        foreach (var conflict in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.NotNull((await Bodies.ProblemAsync(conflict))["errors"]!["id"]);
        }
        await using var db = fixture.OpenDatabase();
        Assert.Equal(winner, (await db.Vendors.SingleAsync(v => v.Id == id)).AccountName);
        Assert.Single(await _http.ListAsync("/ch08/vendor/list?limit=10000"), v => (int)v!["id"]! == id);
    }

    [Fact]
    public async Task FiftyConcurrentLoginAddsOfOneUsernameGiveOne200AndOnly409s()
    {
        var username = $"contested{Ids.Next()}";
        var ids = Enumerable.Range(0, 50).Select(_ => Ids.Next()).ToArray();

        var answers = await Task.WhenAll(ids.Select(id => _http.PostAsync("/ch08/login/add", Bodies.Login(id, username))));

        var statuses = answers.Select(a => a.StatusCode).ToArray();
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == 1, Describe(statuses));
        Assert.True(statuses.Count(s => s == HttpStatusCode.Conflict) == 49, Describe(statuses));
        var winner = ids[Array.FindIndex(statuses, s => s == HttpStatusCode.OK)];
        foreach (var conflict in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.NotNull((await Bodies.ProblemAsync(conflict))["errors"]!["username"]);
        }
        await using var db = fixture.OpenDatabase();
        Assert.Equal([winner], await db.Logins.Where(l => ids.Contains(l.Id)).Select(l => l.Id).ToListAsync());
        using var verify = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = username, ["password"] = "s3cret-pass" });
        Assert.Equal(winner, (int)JsonNode.Parse(await verify.Content.ReadAsStringAsync())!["id"]!);
    }

    [Fact]
    public async Task ConcurrentUpdatesOfOneLoginAnswer200Or409AndTheStoredRowIsOneOfThe200s()
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id));

        // Every update renames the login and sets its own type and password, so each 200 names one complete row.
        var updates = Enumerable.Range(0, 30).Select(n =>
        {
            var body = new JsonObject { ["id"] = id, ["username"] = $"upd{id}-{n}", ["password"] = $"password-{n}-{id}", ["user_type"] = n };
            return (Body: body, Answer: _http.PatchAsync($"/ch08/login/update?id={id}", JsonContent.Create(body)));
        }).ToArray();
        var answers = await Task.WhenAll(updates.Select(u => u.Answer));

        var statuses = answers.Select(a => a.StatusCode).ToArray();
        Assert.True(statuses.All(s => s is HttpStatusCode.OK or HttpStatusCode.Conflict), Describe(statuses));
        var succeeded = updates.Where((_, n) => statuses[n] == HttpStatusCode.OK).Select(u => u.Body).ToList();
        Assert.NotEmpty(succeeded);
        await using var db = fixture.OpenDatabase();
        var stored = await db.Logins.SingleAsync(l => l.Id == id);
        var match = Assert.Single(succeeded, body => (string?)body["username"] == stored.Username && (int)body["user_type"]! == stored.UserType);
        using var verify = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = stored.Username, ["password"] = match["password"]!.DeepClone() });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        // The usernames of the losing and overwritten updates are free again.
        var freed = updates.Select(u => (string)u.Body["username"]!).First(name => name != stored.Username);
        await _http.AddAsync("login", Bodies.Login(Ids.Next(), freed));
    }

    private static string Describe(HttpStatusCode[] statuses) =>
        string.Join(", ", statuses.GroupBy(s => (int)s).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : ConcurrencyTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : ConcurrencyTests(fixture);
}
