using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary>Sign-in and what a web client accepts as a token: its signature, key, lifetime, and who issued it.</summary>
[Collection(AccessClusterDefinition.Name)]
public sealed class TokenTests(AccessClusterFixture fixture)
{
    [Fact]
    public async Task SignInAnswersABearerTokenThatOpensAProtectedRoute()
    {
        using var response = await fixture.Anonymous.PostAsync("/ch08/login/token", new FormUrlEncodedContent(
            [new("username", AccessClusterFixture.AdminUsername), new("password", AccessClusterFixture.AdminPassword)]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("bearer", (string?)answer["token_type"]);
        Assert.Equal(15 * 60, (int)answer["expires_in"]!);
        var token = new JsonWebToken((string)answer["access_token"]!);
        Assert.Equal("ES256", token.Alg);
        Assert.False(string.IsNullOrEmpty(token.Kid));
        Assert.Equal("admin", token.GetClaim("role").Value);
        Assert.Equal(AccessClusterFixture.AdminUsername, token.GetClaim("name").Value);
        using var admin = fixture.As((string)answer["access_token"]!);
        using var list = await admin.GetAsync("/ch08/login/list/all");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task AWrongPasswordAndAnUnknownUsernameGetTheSame401()
    {
        using var wrong = await fixture.Anonymous.PostAsync("/ch08/login/token", new FormUrlEncodedContent(
            [new("username", AccessClusterFixture.AdminUsername), new("password", "not-the-password-1")]));
        using var unknown = await fixture.Anonymous.PostAsync("/ch08/login/token", new FormUrlEncodedContent(
            [new("username", "nobody-" + Ids.Next()), new("password", "not-the-password-1")]));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal((string?)(await Bodies.ProblemAsync(wrong))["detail"], (string?)(await Bodies.ProblemAsync(unknown))["detail"]);
    }

    [Theory]
    [InlineData("grant_type=client_credentials&username=a&password=b", "grant_type")]
    [InlineData("password=b", "username")]
    [InlineData("username=a", "password")]
    public async Task ABadFormIs400NamingTheField(string form, string field)
    {
        using var response = await fixture.Anonymous.PostAsync("/ch08/login/token", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]?[field]);
    }

    [Fact]
    public async Task AFormTheFormReaderRefusesIs400NamingTheBody()
    {
        // JSON sent as a form: one key of 4,096 characters, over the form reader's key limit (it threw, and that was a 500).
        var form = $$"""{"username":"{{new string('x', 4_080)}}"}""";
        using var response = await fixture.Anonymous.PostAsync("/ch08/login/token", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]?["body"]);
    }

    [Fact]
    public async Task JsonInsteadOfAFormIs415()
    {
        using var response = await fixture.Anonymous.PostAsync("/ch08/login/token", new JsonObject { ["username"] = "a", ["password"] = "b" });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ATokenAlteredInHeaderPayloadOrSignatureIs401(int part)
    {
        var token = await fixture.AdminTokenAsync();
        var parts = token.Split('.');
        parts[part] = part switch
        {
            0 => Base64UrlEncoder.Encode("""{"alg":"ES256","kid":"x","typ":"JWT"}"""),
            1 => Base64UrlEncoder.Encode(Base64UrlEncoder.Decode(parts[1]).Replace("\"admin\"", "\"root\"", StringComparison.Ordinal)),
            _ => parts[2][..^4] + (parts[2].EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"),
        };
        using var http = fixture.As(string.Join('.', parts));
        using var response = await http.GetAsync("/ch08/vendor/list");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ATokenSignedByAKeyTheClusterDoesNotKnowIs401()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "nsms",
            Audience = "nsms-api",
            Expires = DateTime.UtcNow.AddMinutes(5),
            Subject = new ClaimsIdentity([new Claim("sub", "1"), new Claim("name", "x"), new Claim("role", "admin")]),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(stranger) { KeyId = "0123456789abcdef" }, SecurityAlgorithms.EcdsaSha256),
        });
        using var http = fixture.As(forged);
        using var response = await http.GetAsync("/ch08/login/list/all");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AnExpiredOrNotYetValidTokenIs401ByTheWebClientsClock()
    {
        var token = await fixture.AdminTokenAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var web = WebClientOn(clock);
        using var http = SignedIn(web, token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ch08/vendor/list")).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(45)); // past expiry and the 30 s skew
        using var expired = await http.GetAsync("/ch08/vendor/list");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("invalid_token", expired.Headers.WwwAuthenticate.ToString());
        // A web client whose clock is two minutes behind sees the token before its not-before (beyond the 30 s skew).
        var behind = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(2));
        await using var early = WebClientOn(behind);
        using var earlyHttp = SignedIn(early, token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await earlyHttp.GetAsync("/ch08/vendor/list")).StatusCode);
    }

    [Fact]
    public async Task AValidatedTokenIsRememberedUntilItExpiresAndAnAlteredCopyIsStillRefused()
    {
        var token = await fixture.AdminTokenAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var web = WebClientOn(clock);
        using var http = SignedIn(web, token);
        var validated = web.Services.GetRequiredService<Newsstand.Api.Access.ValidatedTokens>();
        Assert.Equal(0, validated.Count);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ch08/login/list/all")).StatusCode);
        Assert.Equal(1, validated.Count);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ch08/login/list/all")).StatusCode);
        Assert.Equal(1, validated.Count);

        var parts = token.Split('.');
        parts[2] = parts[2][..^4] + (parts[2].EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        using var altered = web.CreateClient();
        altered.DefaultRequestHeaders.Authorization = new("Bearer", string.Join('.', parts));
        Assert.Equal(HttpStatusCode.Unauthorized, (await altered.GetAsync("/ch08/login/list/all")).StatusCode);
        Assert.Equal(1, validated.Count);

        clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(45)); // past expiry and the 30 s skew
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/ch08/login/list/all")).StatusCode);
        Assert.Equal(0, validated.Count);
    }

    [Fact]
    public async Task ATokenFromOneWebClientIsAcceptedByAnother()
    {
        await using var first = fixture.CreateWebClient(AccessClusterFixture.RequiredSettings);
        await using var second = fixture.CreateWebClient(AccessClusterFixture.RequiredSettings);
        var token = await AccessClusterFixture.TokenAsync(first.CreateClient(), AccessClusterFixture.AdminUsername, AccessClusterFixture.AdminPassword);
        using var http = second.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ch08/login/list/all")).StatusCode);
    }

    [Fact]
    public async Task NoTokenIs401WithABearerChallengeAndAProblem()
    {
        using var response = await fixture.Anonymous.GetAsync("/ch08/vendor/list");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(401, (int)(await Bodies.ProblemAsync(response))["status"]!);
    }

    [Fact]
    public async Task OpenModeKeepsTheOriginalAnonymousContract()
    {
        await using var open = fixture.CreateWebClient(("Auth:Mode", "Open"));
        using var http = open.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ch08/login/list/all")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ch08/subscription/monitor")).StatusCode);
        Assert.Contains(LogCapture.Shared.Lines, line => line.Contains("Auth:Mode is Open", StringComparison.Ordinal));
    }

    /// <summary>A Required-mode web client whose clock is <paramref name="clock"/>.</summary>
    private WebApplicationFactory<Program> WebClientOn(TimeProvider clock) =>
        fixture.CreateWebClient(AccessClusterFixture.RequiredSettings)
            .WithWebHostBuilder(host => host.ConfigureServices(services => services.AddSingleton(clock)));

    private static HttpClient SignedIn(WebApplicationFactory<Program> web, string token)
    {
        var http = web.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }
}
