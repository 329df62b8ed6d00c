using System.Net;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</summary>
public abstract class RecordRoutesTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task EveryTableStoresAndReturnsTheRecordAsSent()
    {
        var login = Ids.Next(); var admin = Ids.Next(); var vendor = Ids.Next(); var customer = Ids.Next();
        var billing = Ids.Next(); var messenger = Ids.Next(); var publication = Ids.Next(); var content = Ids.Next();
        var sales = Ids.Next(); var subscription = Ids.Next();
        (string Table, JsonObject Body)[] chain =
        [
            ("admin", Bodies.Admin(admin, login)),
            ("vendor", Bodies.Vendor(vendor, login)),
            ("customer", Bodies.Customer(customer, login)),
            ("billing", Bodies.Billing(billing, vendor, admin)),
            ("messenger", Bodies.Messenger(messenger, vendor)),
            ("publication", Bodies.Publication(publication, vendor, messenger)),
            ("content", Bodies.Content(content, publication)),
            ("sales", Bodies.Sales(sales, publication)),
            ("subscription", Bodies.Subscription(subscription, customer)),
        ];

        var storedLogin = await _http.AddAsync("login", Bodies.Login(login));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["id"] = login, ["username"] = $"user{login}", ["user_type"] = 1 }, storedLogin));
        foreach (var (table, body) in chain)
        {
            var stored = await _http.AddAsync(table, body);
            Assert.True(JsonNode.DeepEquals(body, stored), $"{table}: sent {Bodies.Compact(body)}, got {Bodies.Compact(stored)}");
        }

        (string Path, int Id, JsonObject Body)[] listed =
        [
            ("/ch08/vendor/list", vendor, chain[1].Body),
            ("/ch08/publication/list", publication, chain[5].Body),
            ("/ch08/content/list", content, chain[6].Body),
            ("/ch08/subscription/list/all", subscription, chain[8].Body),
        ];
        foreach (var (path, id, body) in listed)
        {
            var list = await _http.ListAsync(path);
            var row = list.Single(r => (int)r!["id"]! == id);
            Assert.True(JsonNode.DeepEquals(body, row), $"{path}: {Bodies.Compact(row!)}");
        }
    }

    [Fact]
    public async Task ListsAreOrderedByIdAndHonourLimitAndOffset()
    {
        var loginId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId));
        var ids = new[] { Ids.Next(), Ids.Next(), Ids.Next() };
        // Added out of order: the list still comes back ordered by id.
        foreach (var id in ids.Reverse())
        {
            await _http.AddAsync("vendor", Bodies.Vendor(id, loginId));
        }

        var all = await _http.ListAsync("/ch08/vendor/list");
        var allIds = all.Select(v => (int)v!["id"]!).ToArray();
        Assert.Equal(allIds.Order(), allIds);
        Assert.Subset(allIds.ToHashSet(), ids.ToHashSet());

        var offset = Array.IndexOf(allIds, ids[0]);
        var page = await _http.ListAsync($"/ch08/vendor/list?offset={offset}&limit=2");
        Assert.Equal(ids[..2], page.Select(v => (int)v!["id"]!));
        Assert.Empty(await _http.ListAsync($"/ch08/vendor/list?offset={allIds.Length}"));
        Assert.Empty(await _http.ListAsync("/ch08/vendor/list?limit=0"));
    }

    [Fact]
    public async Task AdminLoginListJoinsEachAdminWithItsLoginWithoutAHash()
    {
        var loginId = Ids.Next();
        var adminId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId, password: "admin-pass"));
        await _http.AddAsync("admin", Bodies.Admin(adminId, loginId));

        using var response = await _http.PostAsync("/ch08/admin/login/list", null);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var admin = JsonNode.Parse(text)!.AsArray().Single(a => (int)a!["id"]! == adminId)!;
        Assert.Equal($"Admin{adminId}", (string?)admin["lastname"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["id"] = loginId, ["username"] = $"user{loginId}", ["user_type"] = 1 }, admin["login"]));
        Assert.DoesNotContain("pbkdf2", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("admin-pass", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddingAnExistingIdIsAConflictAndKeepsTheStoredRow()
    {
        var (loginId, vendorId) = await _http.AddLoginAndVendorAsync();
        var changed = Bodies.Vendor(vendorId, loginId);
        changed["account_name"] = "Someone else";

        using var response = await _http.PostAsync("/ch08/vendor/add", changed);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await Bodies.ProblemAsync(response);
        Assert.NotNull(problem["errors"]!["id"]);
        var stored = (await _http.ListAsync("/ch08/vendor/list")).Single(v => (int)v!["id"]! == vendorId)!;
        Assert.Equal($"Acct{vendorId}", (string?)stored["account_name"]);
    }

    [Theory]
    [InlineData("vendor", "login_id")]
    [InlineData("admin", "login_id")]
    [InlineData("customer", "login_id")]
    [InlineData("messenger", "vendor_id")]
    [InlineData("billing", "admin_id")]
    [InlineData("publication", "messenger_id")]
    [InlineData("content", "publication_id")]
    [InlineData("sales", "publication_id")]
    [InlineData("subscription", "customer_id")]
    public async Task AReferenceToAMissingRowIsRejectedNamingTheReference(string table, string reference)
    {
        var (loginId, vendorId) = await _http.AddLoginAndVendorAsync();
        var adminId = Ids.Next();
        await _http.AddAsync("admin", Bodies.Admin(adminId, loginId));
        var id = Ids.Next();
        var missing = int.MaxValue - id;
        JsonObject body = table switch
        {
            "vendor" => Bodies.Vendor(id, missing),
            "admin" => Bodies.Admin(id, missing),
            "customer" => Bodies.Customer(id, missing),
            "messenger" => Bodies.Messenger(id, missing),
            "billing" => Bodies.Billing(id, vendorId, missing),
            "publication" => Bodies.Publication(id, vendorId, missing),
            "content" => Bodies.Content(id, missing),
            "sales" => Bodies.Sales(id, missing),
            _ => Bodies.Subscription(id, missing),
        };

        using var response = await _http.PostAsync($"/ch08/{table}/add", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await Bodies.ProblemAsync(response);
        Assert.Contains(missing.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)problem["errors"]![reference]![0]);
        // Nothing was written: the same id can still be added once the reference is right.
        await using var db = fixture.OpenDatabase();
        Assert.Null(await db.FindAsync(db.Model.FindEntityType($"Newsstand.Records.{Entity(table)}")!.ClrType, id));
    }

    private static string Entity(string table) => char.ToUpperInvariant(table[0]) + table[1..] + "Record";

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : RecordRoutesTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : RecordRoutesTests(fixture);
}
