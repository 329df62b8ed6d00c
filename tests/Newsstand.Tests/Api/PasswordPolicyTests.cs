using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>New passwords: 8 to 128 characters, not only whitespace, not the username (ignoring case).</summary>
/// <remarks>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</remarks>
public abstract class PasswordPolicyTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    public static TheoryData<string, string> WeakPasswords => new()
    {
        { "seven characters", "s3cret!" },
        { "empty", "" },
        { "only whitespace", "        \t " },
        { "129 characters", new string('p', 129) },
        { "the username", "@username" },
        { "the username in capitals", "@USERNAME" },
        { "seven emoji (fourteen UTF-16 units)", string.Concat(Enumerable.Repeat("🔑", 7)) },
    };

    [Theory]
    [MemberData(nameof(WeakPasswords))]
    public async Task AWeakPasswordIsRejectedOnAddNamingThePassword(string @case, string password)
    {
        var id = Ids.Next();
        var username = $"policy{id}";

        using var response = await _http.PostAsync("/ch08/login/add", Bodies.Login(id, username, password.Replace("@username", username, StringComparison.Ordinal).Replace("@USERNAME", username.ToUpperInvariant(), StringComparison.Ordinal)));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{@case}: {(int)response.StatusCode}");
        Assert.True((await Bodies.ProblemAsync(response))["errors"]?["password"] is JsonArray { Count: > 0 }, @case);
        Assert.DoesNotContain(await _http.ListAsync("/ch08/login/list/all"), l => (int)l!["id"]! == id);
    }

    [Fact]
    public async Task AWeakPasswordIsRejectedOnUpdateAndTheOldOneStillWorks()
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: "keep-password"));

        using var response = await _http.PatchAsync($"/ch08/login/update?id={id}", JsonContent.Create(Bodies.Login(id, password: "short")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["password"]);
        using var verify = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = "keep-password" });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Theory]
    [InlineData("exactly8")]
    [InlineData("🔑🔑🔑🔑🔑🔑🔑🔑")]
    [InlineData("  spaced out  ")]
    public async Task PasswordsWithinThePolicyAreAccepted(string password)
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: password));
        await _http.AddAsync("login", Bodies.Login(Ids.Next(), password: new string('x', 127) + "🔑"));

        using var verify = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = password });

        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Fact]
    public async Task VerifyAnswersAnUnknownUserAndAWrongPasswordIdentically()
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: "right-password"));

        using var wrong = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = "wrong-password" });
        using var unknown = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"nobody{id}", ["password"] = "wrong-password" });
        // A password the policy would refuse is still only "wrong" at verify: the policy tells nothing about accounts.
        using var weak = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = "pw" });

        var answers = new List<string>();
        foreach (var response in new[] { wrong, unknown, weak })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var problem = await Bodies.ProblemAsync(response);
            problem.Remove("trace_id");
            var headers = response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date").Select(h => $"{h.Key}: {string.Join(",", h.Value)}");
            answers.Add(string.Join("\n", headers.Order()) + "\n" + Bodies.Compact(problem));
        }
        Assert.Equal(answers[0], answers[1]);
        Assert.Equal(answers[0], answers[2]);
    }

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : PasswordPolicyTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : PasswordPolicyTests(fixture);
}
