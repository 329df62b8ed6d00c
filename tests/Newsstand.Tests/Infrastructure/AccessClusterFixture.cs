using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A cluster on a fresh database whose silo starts with a bootstrap admin (<see cref="AdminUsername"/>), and a web
/// client in <c>Auth:Mode=Required</c>, for the access tests: signed-in callers, roles and tokens.
/// </summary>
public sealed class AccessClusterFixture : NewsstandClusterFixture
{
    public const string AdminUsername = "root-admin";
    public const string AdminPassword = "bootstrap-Passw0rd-long";

    /// <summary>Generous abuse limits: every test here signs in often from one address.</summary>
    public static readonly (string Key, string Value)[] RequiredSettings =
    [
        ("Auth:Mode", "Required"),
        .. new[] { "VerifyPerUsername", "VerifyPerAddress", "AddPerUsername", "AddPerAddress" }.Select(limit => ($"AbuseLimits:{limit}:Permits", "1000000")),
    ];

    public WebApplicationFactory<Program> Web { get; private set; } = null!;

    /// <summary>An anonymous client of <see cref="Web"/>.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    protected override Task<Dictionary<string, string?>> SettingsAsync(Dictionary<string, string?> settings)
    {
        settings["Auth:BootstrapAdmin:Username"] = AdminUsername;
        settings["Auth:BootstrapAdmin:Password"] = AdminPassword;
        return Task.FromResult(settings);
    }

    protected override Task StartedAsync()
    {
        Web = CreateWebClient(RequiredSettings);
        Anonymous = Web.CreateClient();
        return Task.CompletedTask;
    }

    protected override Task StoppingAsync()
    {
        Anonymous.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A token from <c>POST /ch08/login/token</c>.</summary>
    public static async Task<string> TokenAsync(HttpClient http, string username, string password)
    {
        using var response = await http.PostAsync("/ch08/login/token", new FormUrlEncodedContent([new("grant_type", "password"), new("username", username), new("password", password)]));
        response.EnsureSuccessStatusCode();
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("bearer", (string?)answer["token_type"]);
        return (string)answer["access_token"]!;
    }

    public Task<string> AdminTokenAsync() => TokenAsync(Anonymous, AdminUsername, AdminPassword);

    /// <summary>A new login, self-registered (anonymous), with a token: a plain user.</summary>
    public async Task<(int Id, string Username, string Password, string Token)> NewUserAsync()
    {
        var id = Ids.Next();
        var username = $"user{id}";
        const string password = "user-Passw0rd-long";
        using var added = await Anonymous.PostAsync("/ch08/login/add", Bodies.Login(id, username, password));
        added.EnsureSuccessStatusCode();
        return (id, username, password, await TokenAsync(Anonymous, username, password));
    }

    /// <summary>A client of <see cref="Web"/> that sends <paramref name="token"/>.</summary>
    public HttpClient As(string? token)
    {
        var http = Web.CreateClient();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }
}

[CollectionDefinition(Name)]
public sealed class AccessClusterDefinition : ICollectionFixture<AccessClusterFixture>
{
    public const string Name = "Access cluster";
}
