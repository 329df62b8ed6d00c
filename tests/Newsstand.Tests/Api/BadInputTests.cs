using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</summary>
public abstract class BadInputTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    public static TheoryData<string, string, string> BadFields => new()
    {
        // case, field, JSON value to put in place ("<missing>" removes the field)
        { "missing field", "rep_lastname", "<missing>" },
        { "null", "rep_firstname", "null" },
        { "wrong type (number for text)", "account_name", "42" },
        { "wrong type (text for int)", "login_id", "\"7\"" },
        { "float for int", "id", "1.5" },
        { "out-of-range int", "login_id", "2147483648" },
        { "text over its limit", "rep_id", "\"" + new string('r', 46) + "\"" },
        { "empty text", "rep_firstname", "\"\"" },
        { "invalid date", "rep_date_employed", "\"2022-02-30\"" },
        { "date in another format", "date_consigned", "\"02/01/2022\"" },
        { "negative id", "id", "-5" },
        { "zero reference", "login_id", "0" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task ABadFieldIsNamedAndNothingIsStored(string @case, string field, string value)
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        var before = (await _http.ListAsync("/ch08/vendor/list")).Count;
        var body = Bodies.Vendor(Ids.Next(), loginId);
        if (value == "<missing>")
        {
            body.Remove(field);
        }
        else
        {
            body[field] = JsonNode.Parse(value);
        }

        using var response = await _http.PostAsync("/ch08/vendor/add", body);

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, @case);
        var problem = await Bodies.ProblemAsync(response);
        Assert.True(problem["errors"]?[field] is JsonArray { Count: > 0 }, $"{@case}: {Bodies.Compact(problem)}");
        Assert.Equal(before, (await _http.ListAsync("/ch08/vendor/list")).Count);
    }

    [Fact]
    public async Task EveryBadFieldIsNamedInOneAnswer()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        var body = Bodies.Vendor(Ids.Next(), loginId);
        body.Remove("rep_lastname");
        body["account_name"] = 5;
        body["date_consigned"] = "yesterday";
        body["rep_id"] = new string('x', 50);

        using var response = await _http.PostAsync("/ch08/vendor/add", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Bodies.ProblemAsync(response))["errors"]!.AsObject();
        Assert.Superset(new HashSet<string> { "rep_lastname", "account_name", "date_consigned" }, errors.Select(e => e.Key).ToHashSet());
    }

    [Theory]
    [InlineData("customer", "age", -1)]
    [InlineData("subscription", "qty", -3)]
    [InlineData("subscription", "price", -0.5)]
    [InlineData("messenger", "salary", -100)]
    [InlineData("sales", "copies_sold", -1)]
    [InlineData("billing", "total_issues", -2)]
    public async Task NegativeQuantitiesAreRejected(string table, string field, double value)
    {
        var body = table switch
        {
            "customer" => Bodies.Customer(Ids.Next(), 1),
            "subscription" => Bodies.Subscription(Ids.Next(), 1),
            "messenger" => Bodies.Messenger(Ids.Next(), 1),
            "sales" => Bodies.Sales(Ids.Next(), 1),
            _ => Bodies.Billing(Ids.Next(), 1, 1),
        };
        body[field] = field is "price" or "salary" ? JsonValue.Create(value) : JsonValue.Create((int)value);

        using var response = await _http.PostAsync($"/ch08/{table}/add", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]![field]);
    }

    [Theory]
    [InlineData("{\"id\": 1,")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"just a string\"")]
    [InlineData("")]
    [InlineData("{\"id\": 1, \"id\": 2}", "id")]
    public async Task MalformedJsonIsRejected(string raw, string field = "body")
    {
        using var response = await _http.PostAsync("/ch08/vendor/add", new StringContent(raw, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]![field]);
    }

    [Fact]
    public async Task ANonJsonBodyIsUnsupportedMediaType()
    {
        using var response = await _http.PostAsync("/ch08/login/add", new StringContent("id=1&username=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await Bodies.ProblemAsync(response);
    }

    [Fact]
    public async Task ABodyOverOneMebibyteIsTooLarge()
    {
        var body = Bodies.Content(Ids.Next(), 1);
        body["content"] = new string('c', (1024 * 1024) + 10);

        using var response = await _http.PostAsync("/ch08/content/add", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await Bodies.ProblemAsync(response);
    }

    [Theory]
    [InlineData("GET", "/ch08/no/such/route", HttpStatusCode.NotFound)]
    [InlineData("GET", "/ch08/vendor/add", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "/ch08/vendor/list", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/ch08/vendor/list?limit=-1", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/ch08/vendor/list?limit=ten", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/ch08/vendor/list?offset=1.5", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/ch08/vendor/list?limit=1&limit=2", HttpStatusCode.BadRequest)]
    public async Task BadRoutesMethodsAndParametersAnswerWithProblems(string method, string path, HttpStatusCode expected)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(expected, response.StatusCode);
        await Bodies.ProblemAsync(response);
    }

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : BadInputTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : BadInputTests(fixture);
}
