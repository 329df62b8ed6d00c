using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>The request/response workloads through the real web client: the gather, the billing pipeline, the encrypted profiles, the dated filter.</summary>
/// <remarks>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</remarks>
public abstract class WorkloadRoutesTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task TheLoginRecordsGatherCountsEveryLoginAndListsNoSecret()
    {
        var ids = new[] { Ids.Next(), Ids.Next() };
        foreach (var id in ids)
        {
            await _http.AddAsync("login", Bodies.Login(id, password: $"secret-{id}"));
        }

        var answer = await GetObjectAsync("/ch08/login/list/records");

        var users = answer["user_list"]!.AsArray().Select(u => (string)u!).ToList();
        Assert.Equal(["num_rec", "user_list"], answer.Select(p => p.Key));
        Assert.Equal(users.Count, (int)answer["num_rec"]!);
        Assert.Equal((await _http.ListAsync("/ch08/login/list/all")).Count, users.Count);
        Assert.Contains($"{ids[0]} user{ids[0]} 1", users);
        Assert.Contains($"{ids[1]} user{ids[1]} 1", users);
        var text = Bodies.Compact(answer);
        Assert.DoesNotContain("secret-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pbkdf2", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePipelineGivesOneEntryPerBillingAndANullForAnAdminWithout()
    {
        var (loginId, vendorId) = await _http.AddLoginAndVendorAsync();
        var (billed, unbilled) = (Ids.Next(), Ids.Next());
        await _http.AddAsync("admin", Bodies.Admin(billed, loginId));
        await _http.AddAsync("admin", Bodies.Admin(unbilled, loginId));
        var billings = new[] { Ids.Next(), Ids.Next() };
        foreach (var id in billings)
        {
            await _http.AddAsync("billing", Bodies.Billing(id, vendorId, billed));
        }

        var sheet = await _http.ListAsync("/ch08/admin/billing/all");

        var ofBilled = sheet.Where(e => (string)e!["admin_name"]! == $"Ada Admin{billed}").ToList();
        Assert.Equal(billings, ofBilled.Select(e => (int)e!["billing"]!["id"]!));
        Assert.All(ofBilled, e => Assert.Equal(billed, (int)e!["billing"]!["admin_id"]!));
        var ofUnbilled = Assert.Single(sheet, e => (string)e!["admin_name"]! == $"Ada Admin{unbilled}");
        Assert.Equal(JsonValueKind(null), JsonValueKind(ofUnbilled!["billing"]));
        Assert.True(ofUnbilled!.AsObject().ContainsKey("billing"));
    }

    [Fact]
    public async Task ProfileTokensDecryptToTheProfileAndDifferOnEveryCall()
    {
        var loginId = Ids.Next();
        var adminId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId));
        await _http.AddAsync("admin", Bodies.Admin(adminId, loginId));

        var first = await GetObjectAsync("/ch08/admin/login/list/enc");
        var second = await GetObjectAsync("/ch08/admin/login/list/enc");

        Assert.Equal("done", (string)first["message"]!);
        Assert.Equal(first["profiles"]!.AsArray().Count, (int)first["count"]!);
        var token = TokenOf(first, adminId);
        Assert.NotEqual(token, TokenOf(second, adminId));
        foreach (var each in new[] { token, TokenOf(second, adminId) })
        {
            using var decrypted = await _http.PostAsJsonAsync("/ch08/admin/login/dec", new { token = each });
            Assert.Equal(HttpStatusCode.OK, decrypted.StatusCode);
            var profile = JsonNode.Parse(await decrypted.Content.ReadAsStringAsync())!;
            Assert.Equal((adminId, "Ada", $"Admin{adminId}", loginId, $"user{loginId}", "1985-03-02"),
                ((int)profile["admin_id"]!, (string)profile["firstname"]!, (string)profile["lastname"]!, (int)profile["login_id"]!,
                    (string)profile["username"]!, (string)profile["birthday"]!));
        }
    }

    [Theory]
    [InlineData("flip a byte")]
    [InlineData("cut short")]
    [InlineData("not base64")]
    public async Task AnAlteredTokenIsRejected(string alteration)
    {
        var loginId = Ids.Next();
        var adminId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId));
        await _http.AddAsync("admin", Bodies.Admin(adminId, loginId));
        var bytes = Convert.FromBase64String(TokenOf(await GetObjectAsync("/ch08/admin/login/list/enc"), adminId));
        var token = alteration switch
        {
            "flip a byte" => Convert.ToBase64String([.. bytes[..^8], (byte)(bytes[^8] ^ 1), .. bytes[^7..]]),
            "cut short" => Convert.ToBase64String(bytes[..^1]),
            _ => "%%%" + Convert.ToBase64String(bytes),
        };

        using var response = await _http.PostAsJsonAsync("/ch08/admin/login/dec", new { token });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["token"]);
    }

    [Fact]
    public async Task TheDatedFilterIncludesBothEndsAndNothingOutside()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        var customerId = Ids.Next();
        await _http.AddAsync("customer", Bodies.Customer(customerId, loginId));
        var start = TestDates.Next();
        var ids = new List<int>();
        for (var day = -1; day <= 2; day++)
        {
            var id = Ids.Next();
            ids.Add(id);
            var body = Bodies.Subscription(id, customerId);
            body["branch"] = $"Branch {id}";
            body["price"] = 2.5;
            body["qty"] = day + 2;
            body["date_purchased"] = TestDates.Text(start.AddDays(day));
            await _http.AddAsync("subscription", body);
        }

        using var response = await _http.PostAsync($"/ch08/subscription/dated?min_date={TestDates.Text(start)}&max_date={TestDates.Text(start.AddDays(1))}", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(s => (string)s!).ToList();
        Assert.Equal([$"Branch {ids[1]} 5.0 {TestDates.Text(start)}", $"Branch {ids[2]} 7.5 {TestDates.Text(start.AddDays(1))}"], list);
    }

    [Fact]
    public async Task ThePayableTotalSumsTheBillingsOfThatDayOnly()
    {
        var (loginId, vendorId) = await _http.AddLoginAndVendorAsync();
        var adminId = Ids.Next();
        await _http.AddAsync("admin", Bodies.Admin(adminId, loginId));
        var date = TestDates.Next();
        foreach (var (payable, day) in new[] { (10.5, 0), (20.25, 0), (1000.0, 1) })
        {
            var body = Bodies.Billing(Ids.Next(), vendorId, adminId);
            body["payable"] = payable;
            body["date_billed"] = TestDates.Text(date.AddDays(day));
            await _http.AddAsync("billing", body);
        }

        var answer = await PostObjectAsync($"/ch08/billing/total/payable?billing_date={TestDates.Text(date)}");

        Assert.Equal(30.75, (double)answer["total_payable"]!);
    }

    private static System.Text.Json.JsonValueKind JsonValueKind(JsonNode? node) => node?.GetValueKind() ?? System.Text.Json.JsonValueKind.Null;

    private static string TokenOf(JsonObject answer, int adminId) =>
        (string)answer["profiles"]!.AsArray().Single(p => (int)p!["admin_id"]! == adminId)!["token"]!;

    private async Task<JsonObject> GetObjectAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<JsonObject> PostObjectAsync(string path)
    {
        using var response = await _http.PostAsync(path, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : WorkloadRoutesTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : WorkloadRoutesTests(fixture);
}
