using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary><c>PATCH /ch08/login/update</c>: an admin changes any login; a user only its own, with its present password, never its user_type.</summary>
[Collection(AccessClusterDefinition.Name)]
public sealed class LoginUpdateAccessTests(AccessClusterFixture fixture)
{
    [Fact]
    public async Task WithoutATokenTheTakeoverOfTheIssueIs401AndChangesNothing()
    {
        var victim = await fixture.NewUserAsync();
        using var response = await fixture.Anonymous.PatchAsync($"/ch08/login/update?id={victim.Id}",
            JsonContent.Create(Bodies.Login(victim.Id, victim.Username, "taken-over-Passw0rd")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertPasswordAsync(victim.Username, victim.Password);
    }

    [Fact]
    public async Task AUserCannotChangeAnotherLogin()
    {
        var victim = await fixture.NewUserAsync();
        var attacker = await fixture.NewUserAsync();
        using var http = fixture.As(attacker.Token);
        var body = Bodies.Login(victim.Id, victim.Username, "taken-over-Passw0rd");
        body["current_password"] = attacker.Password;
        using var response = await http.PatchAsync($"/ch08/login/update?id={victim.Id}", JsonContent.Create(body));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertPasswordAsync(victim.Username, victim.Password);
    }

    [Fact]
    public async Task AUserChangesItsOwnPasswordOnlyWithItsPresentOne()
    {
        var user = await fixture.NewUserAsync();
        using var http = fixture.As(user.Token);
        const string next = "next-Passw0rd-long";

        using var missing = await http.PatchAsync($"/ch08/login/update?id={user.Id}", JsonContent.Create(Bodies.Login(user.Id, user.Username, next)));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(missing))["errors"]?["current_password"]);
        await AssertPasswordAsync(user.Username, user.Password);

        var wrong = Bodies.Login(user.Id, user.Username, next);
        wrong["current_password"] = "not-my-Passw0rd";
        using var refused = await http.PatchAsync($"/ch08/login/update?id={user.Id}", JsonContent.Create(wrong));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await AssertPasswordAsync(user.Username, user.Password);

        var right = Bodies.Login(user.Id, user.Username, next);
        right["current_password"] = user.Password;
        using var changed = await http.PatchAsync($"/ch08/login/update?id={user.Id}", JsonContent.Create(right));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await AssertPasswordAsync(user.Username, next);
    }

    [Fact]
    public async Task AUserCannotChangeItsOwnUserType()
    {
        var user = await fixture.NewUserAsync();
        using var http = fixture.As(user.Token);
        var body = Bodies.Login(user.Id, user.Username, "next-Passw0rd-long");
        body["user_type"] = 0;
        body["current_password"] = user.Password;
        using var response = await http.PatchAsync($"/ch08/login/update?id={user.Id}", JsonContent.Create(body));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertPasswordAsync(user.Username, user.Password);
    }

    [Fact]
    public async Task AnAdminChangesAnyLoginWithoutItsPassword()
    {
        var user = await fixture.NewUserAsync();
        using var http = fixture.As(await fixture.AdminTokenAsync());
        var body = Bodies.Login(user.Id, user.Username, "reset-by-admin-Passw0rd");
        body["user_type"] = 2;
        using var response = await http.PatchAsync($"/ch08/login/update?id={user.Id}", JsonContent.Create(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["user_type"]!);
        await AssertPasswordAsync(user.Username, "reset-by-admin-Passw0rd");
    }

    private async Task AssertPasswordAsync(string username, string password)
    {
        using var verify = await fixture.Anonymous.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = username, ["password"] = password });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }
}
