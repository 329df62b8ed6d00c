using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</summary>
public abstract class LoginRoutesTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task ALoginIsStoredAsAHashAndNeverShown()
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: "plain-text-pw"));

        using var list = await _http.GetAsync("/ch08/login/list/all");
        var text = await list.Content.ReadAsStringAsync();
        Assert.Contains($"\"username\":\"user{id}\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("password", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pbkdf2", text, StringComparison.Ordinal);

        await using var db = fixture.OpenDatabase();
        var stored = await db.Logins.SingleAsync(l => l.Id == id);
        Assert.StartsWith("pbkdf2-sha256$1000$", stored.Password, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-text-pw", stored.Password, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAcceptsTheRightPasswordOnly()
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: "right-password"));

        using var ok = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = "right-password" });
        using var wrong = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = "wrong-password" });
        using var unknown = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = "nobody-" + id, ["password"] = "right-password" });

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["id"] = id, ["username"] = $"user{id}", ["user_type"] = 1 },
            JsonNode.Parse(await ok.Content.ReadAsStringAsync())));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        await Bodies.ProblemAsync(wrong);
    }

    [Fact]
    public async Task UpdateChangesUsernameTypeAndPassword()
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: "old-password"));
        var body = new JsonObject { ["id"] = id, ["username"] = $"renamed{id}", ["password"] = "new-password", ["user_type"] = 3 };

        using var response = await _http.PatchAsync($"/ch08/login/update?id={id}", System.Net.Http.Json.JsonContent.Create(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["id"] = id, ["username"] = $"renamed{id}", ["user_type"] = 3 },
            JsonNode.Parse(await response.Content.ReadAsStringAsync())));
        using var newPassword = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"renamed{id}", ["password"] = "new-password" });
        using var oldPassword = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"renamed{id}", ["password"] = "old-password" });
        using var oldName = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = "new-password" });
        Assert.Equal(HttpStatusCode.OK, newPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldName.StatusCode);
    }

    [Fact]
    public async Task UpdatingAMissingLoginIsNotFound()
    {
        var id = Ids.Next();
        using var response = await _http.PatchAsync($"/ch08/login/update?id={id}", System.Net.Http.Json.JsonContent.Create(Bodies.Login(id)));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await Bodies.ProblemAsync(response);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?id=abc")]
    [InlineData("?id=0")]
    [InlineData("?id=OTHER")]
    public async Task UpdateWithABadIdParameterIsRejectedAndChangesNothing(string query)
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: "keep-password"));
        var body = Bodies.Login(id, $"changed{id}", "changed-password");

        using var response = await _http.PatchAsync("/ch08/login/update" + query.Replace("OTHER", (id + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            System.Net.Http.Json.JsonContent.Create(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["id"]);
        using var verify = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = "keep-password" });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Fact]
    public async Task ATakenUsernameIsAConflict()
    {
        var first = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(first, "taken-" + first));

        using var response = await _http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next(), "taken-" + first));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["username"]);
    }

    [Theory]
    [InlineData("alice#", "Alice#")]
    [InlineData("alice#", "ALICE# ")]
    [InlineData("#jose\u0301", "#jos\u00e9")]
    [InlineData(" #Jos\u00e9", "#JOSE\u0301")]
    public async Task SpellingsOfOneUsernameAreOneAccount(string first, string second)
    {
        // '#' stands for a number that makes the name unique to this run.
        var unique = Ids.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        (first, second) = (first.Replace("#", unique, StringComparison.Ordinal), second.Replace("#", unique, StringComparison.Ordinal));
        var stored = await _http.AddAsync("login", Bodies.Login(Ids.Next(), first));

        using var twin = await _http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next(), second));
        using var verify = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = second, ["password"] = "s3cret-pass" });

        Assert.Equal(HttpStatusCode.Conflict, twin.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(twin))["errors"]!["username"]);
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var canonical = first.Trim().Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant();
        Assert.Equal(canonical, (string?)stored["username"]);
        Assert.Equal(canonical, (string?)JsonNode.Parse(await verify.Content.ReadAsStringAsync())!["username"]);
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("\t")]
    public async Task ABlankUsernameIsRejected(string username)
    {
        using var response = await _http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next(), username));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["username"]);
    }

    [Fact]
    public async Task LoginRecordsAreListedWithoutPasswords()
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id));

        var logins = await _http.ListAsync("/ch08/login/list/all");

        var row = logins.Single(l => (int)l!["id"]! == id)!.AsObject();
        Assert.Equal(["id", "username", "user_type"], row.Select(p => p.Key));
    }

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : LoginRoutesTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : LoginRoutesTests(fixture);
}
