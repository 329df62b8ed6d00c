using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>Text that is not Unicode, or that a database cannot hold, is refused at the edge naming the field.</summary>
/// <remarks>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</remarks>
public abstract class TextInputTests(IApiFixture fixture)
{
    // One chain of valid references for all cases (tests of a class run one at a time).
    private static Task<Chain>? _sharedChain;

    private readonly HttpClient _http = fixture.Http;

    /// <summary>Raw bytes spliced between a JSON string's quotes, none of them Unicode text a database can store.</summary>
    public static TheoryData<string, byte[]> BadText => new()
    {
        { "invalid UTF-8 byte", [(byte)'J', 0xFF, (byte)'e'] },
        { "overlong UTF-8 for '/'", [(byte)'J', 0xC0, 0xAF, (byte)'e'] },
        { "UTF-8 of a surrogate code point", [(byte)'J', 0xED, 0xA0, 0x80] },
        { "truncated UTF-8 sequence", [(byte)'J', 0xE2, 0x82] },
        { "lone high surrogate escape", Encoding.ASCII.GetBytes("Jo\\ud800e") },
        { "lone low surrogate escape", Encoding.ASCII.GetBytes("\\udc00Jo") },
        { "high surrogate escape before a letter", Encoding.ASCII.GetBytes("Jo\\ud800\\u0041") },
        { "NUL escape", Encoding.ASCII.GetBytes("Jo\\u0000e") },
    };

    /// <summary>Every add route with one of its text fields (sales has none but its date).</summary>
    public static TheoryData<string, string> TextFields => new()
    {
        { "login", "username" },
        { "login", "password" },
        { "admin", "firstname" },
        { "vendor", "rep_firstname" },
        { "vendor", "rep_date_employed" },
        { "customer", "lastname" },
        { "billing", "approved_by" },
        { "messenger", "firstname" },
        { "publication", "name" },
        { "content", "content" },
        { "sales", "date_issued" },
        { "subscription", "branch" },
    };

    public static TheoryData<string, string, string> EveryTextFieldWithEveryBadText()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var field in TextFields)
        {
            foreach (var text in BadText)
            {
                data.Add((string)field[0], (string)field[1], (string)text[0]);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryTextFieldWithEveryBadText))]
    public async Task TextThatIsNotStorableUnicodeIsRejectedNamingTheFieldOnEveryAddRoute(string table, string field, string @case)
    {
        var chain = await (_sharedChain ??= ValidChainAsync());
        var id = Ids.Next();
        var body = Body(table, id, chain);

        using var response = await _http.SendRawAsync(HttpMethod.Post, $"/ch08/{table}/add", Bodies.WithRawText(body, field, Raw(@case)));

        await AssertFieldRejectedAsync(response, field, @case);
        await using var db = fixture.OpenDatabase();
        var stored = table == "login"
            ? await db.Logins.AnyAsync(l => l.Id == id)
            : await db.FindAsync(db.Model.GetEntityTypes().Single(e => e.GetTableName() == table).ClrType, id) is not null;
        Assert.False(stored, $"{table} {id} was stored");
    }

    [Theory]
    [MemberData(nameof(BadText))]
    public async Task VerifyRefusesTextThatIsNotUnicodeInEitherField(string @case, byte[] raw)
    {
        foreach (var field in new[] { "username", "password" })
        {
            var body = new JsonObject { ["username"] = "someone", ["password"] = "some-password" };

            using var response = await _http.SendRawAsync(HttpMethod.Post, "/ch08/login/verify", Bodies.WithRawText(body, field, raw));

            await AssertFieldRejectedAsync(response, field, @case);
        }
    }

    [Theory]
    [MemberData(nameof(BadText))]
    public async Task UpdateRefusesTextThatIsNotUnicodeAndKeepsTheLogin(string @case, byte[] raw)
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: "keep-password"));

        foreach (var field in new[] { "username", "password" })
        {
            var body = Bodies.Login(id, $"changed{id}", "changed-password");
            using var response = await _http.SendRawAsync(HttpMethod.Patch, $"/ch08/login/update?id={id}", Bodies.WithRawText(body, field, raw));

            await AssertFieldRejectedAsync(response, field, @case);
        }
        using var verify = await _http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = $"user{id}", ["password"] = "keep-password" });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Fact]
    public async Task BadTextInAFieldTheRecordDoesNotHaveRejectsTheBody()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        var id = Ids.Next();
        var body = Bodies.Vendor(id, loginId);
        body["nickname"] = "placeholder";

        using var response = await _http.SendRawAsync(HttpMethod.Post, "/ch08/vendor/add", Bodies.WithRawText(body, "nickname", [(byte)'J', 0xFF]));

        await AssertFieldRejectedAsync(response, "body", "invalid UTF-8 in an unknown field");
        Assert.DoesNotContain(await _http.ListAsync("/ch08/vendor/list"), v => (int)v!["id"]! == id);
    }

    [Fact]
    public async Task FortyFiveEmojiFitAFortyFiveCharacterFieldAndFortySixDoNot()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        var fits = Bodies.Vendor(Ids.Next(), loginId);
        fits["rep_firstname"] = string.Concat(Enumerable.Repeat("😀", 45));
        fits["rep_lastname"] = string.Concat(Enumerable.Repeat("é", 45));
        var tooLong = Bodies.Vendor(Ids.Next(), loginId);
        tooLong["rep_firstname"] = string.Concat(Enumerable.Repeat("😀", 46));

        var stored = await _http.AddAsync("vendor", fits);
        using var rejected = await _http.PostAsync("/ch08/vendor/add", tooLong);

        Assert.Equal((string?)fits["rep_firstname"], (string?)stored["rep_firstname"]);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Contains("45 characters", (string?)(await Bodies.ProblemAsync(rejected))["errors"]!["rep_firstname"]![0], StringComparison.Ordinal);
    }

    private static byte[] Raw(string @case) => (byte[])BadText.Single(row => (string)row[0] == @case)[1];

    private static async Task AssertFieldRejectedAsync(HttpResponseMessage response, string field, string @case)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{@case} in {field}: {(int)response.StatusCode} {text}");
        var problem = await Bodies.ProblemAsync(response);
        Assert.True(problem["errors"]?[field] is JsonArray { Count: > 0 }, $"{@case} in {field}: {text}");
    }

    private sealed record Chain(int Login, int Admin, int Vendor, int Customer, int Messenger, int Publication);

    private async Task<Chain> ValidChainAsync()
    {
        var chain = new Chain(Ids.Next(), Ids.Next(), Ids.Next(), Ids.Next(), Ids.Next(), Ids.Next());
        await _http.AddAsync("login", Bodies.Login(chain.Login));
        await _http.AddAsync("admin", Bodies.Admin(chain.Admin, chain.Login));
        await _http.AddAsync("vendor", Bodies.Vendor(chain.Vendor, chain.Login));
        await _http.AddAsync("customer", Bodies.Customer(chain.Customer, chain.Login));
        await _http.AddAsync("messenger", Bodies.Messenger(chain.Messenger, chain.Vendor));
        await _http.AddAsync("publication", Bodies.Publication(chain.Publication, chain.Vendor, chain.Messenger));
        return chain;
    }

    private static JsonObject Body(string table, int id, Chain chain) => table switch
    {
        "login" => Bodies.Login(id),
        "admin" => Bodies.Admin(id, chain.Login),
        "vendor" => Bodies.Vendor(id, chain.Login),
        "customer" => Bodies.Customer(id, chain.Login),
        "billing" => Bodies.Billing(id, chain.Vendor, chain.Admin),
        "messenger" => Bodies.Messenger(id, chain.Vendor),
        "publication" => Bodies.Publication(id, chain.Vendor, chain.Messenger),
        "content" => Bodies.Content(id, chain.Publication),
        "sales" => Bodies.Sales(id, chain.Publication),
        _ => Bodies.Subscription(id, chain.Customer),
    };

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : TextInputTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : TextInputTests(fixture);
}
