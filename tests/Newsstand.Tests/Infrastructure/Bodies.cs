using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Newsstand.Tests.Infrastructure;

/// <summary>Valid request bodies, spelled exactly as an original client sends them.</summary>
internal static class Bodies
{
    /// <summary>A login body; the default password meets the password policy.</summary>
    public static JsonObject Login(int id, string? username = null, string password = "s3cret-pass") => new()
    {
        ["id"] = id, ["username"] = username ?? $"user{id}", ["password"] = password, ["user_type"] = 1,
    };

    public static JsonObject Admin(int id, int loginId) => new()
    {
        ["id"] = id, ["firstname"] = "Ada", ["lastname"] = $"Admin{id}", ["age"] = 40, ["date_started"] = "2020-01-15",
        ["status"] = 1, ["login_id"] = loginId, ["birthday"] = "1985-03-02",
    };

    public static JsonObject Vendor(int id, int loginId) => new()
    {
        ["id"] = id, ["rep_firstname"] = "Rep", ["rep_lastname"] = $"Vendor{id}", ["rep_id"] = $"R{id}",
        ["rep_date_employed"] = "2022-01-01", ["account_name"] = $"Acct{id}", ["account_number"] = $"{id:D8}",
        ["date_consigned"] = "2022-02-01", ["login_id"] = loginId,
    };

    public static JsonObject Customer(int id, int loginId) => new()
    {
        ["id"] = id, ["firstname"] = "Cal", ["lastname"] = $"Customer{id}", ["age"] = 30, ["birthday"] = "1994-07-07",
        ["date_subscribed"] = "2023-05-01", ["status"] = 1, ["subscription_type"] = 2, ["login_id"] = loginId,
    };

    public static JsonObject Billing(int id, int vendorId, int adminId) => new()
    {
        ["id"] = id, ["payable"] = 1250.5, ["approved_by"] = "Ada", ["date_approved"] = "2024-03-01", ["date_billed"] = "2024-03-02",
        ["received_by"] = "Rep", ["date_received"] = "2024-03-05", ["total_issues"] = 40, ["vendor_id"] = vendorId, ["admin_id"] = adminId,
    };

    public static JsonObject Messenger(int id, int vendorId) => new()
    {
        ["id"] = id, ["firstname"] = "Max", ["lastname"] = $"Messenger{id}", ["salary"] = 18000.0, ["date_employed"] = "2021-09-01",
        ["status"] = 1, ["vendor_id"] = vendorId,
    };

    public static JsonObject Publication(int id, int vendorId, int messengerId) => new()
    {
        ["id"] = id, ["name"] = $"Daily {id}", ["type"] = "newspaper", ["vendor_id"] = vendorId, ["messenger_id"] = messengerId,
    };

    public static JsonObject Content(int id, int publicationId) => new()
    {
        ["id"] = id, ["publication_id"] = publicationId, ["headline"] = "Orleans ships", ["content"] = "Long text " + new string('x', 500),
        ["content_type"] = "news", ["date_published"] = "2024-06-01",
    };

    public static JsonObject Sales(int id, int publicationId) => new()
    {
        ["id"] = id, ["publication_id"] = publicationId, ["copies_issued"] = 100, ["copies_sold"] = 80, ["date_issued"] = "2024-06-01",
        ["revenue"] = 400.0, ["profit"] = 120.25,
    };

    public static JsonObject Subscription(int id, int customerId) => new()
    {
        ["id"] = id, ["customer_id"] = customerId, ["branch"] = "Main St", ["price"] = 12.5, ["qty"] = 3, ["date_purchased"] = "2024-02-10",
    };

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient http, string path, JsonNode body) =>
        await http.PostAsync(path, JsonContent.Create(body));

    public static async Task<JsonObject> AddAsync(this HttpClient http, string table, JsonObject body)
    {
        using var response = await http.PostAsync($"/ch08/{table}/add", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /ch08/{table}/add answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonArray> ListAsync(this HttpClient http, string path, HttpMethod? method = null)
    {
        using var response = await http.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Get, path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsArray();
    }

    /// <summary>A login, then a vendor on it: the minimal chain most records hang from.</summary>
    public static async Task<(int LoginId, int VendorId)> AddLoginAndVendorAsync(this HttpClient http)
    {
        var loginId = Ids.Next();
        var vendorId = Ids.Next();
        await http.AddAsync("login", Login(loginId));
        await http.AddAsync("vendor", Vendor(vendorId, loginId));
        return (loginId, vendorId);
    }

    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>
    /// <paramref name="body"/> as UTF-8 bytes with the value of <paramref name="field"/> replaced by raw bytes
    /// (spliced between the quotes as they are: invalid UTF-8, or escapes such as <c>\ud800</c>).
    /// </summary>
    public static byte[] WithRawText(JsonObject body, string field, byte[] raw)
    {
        const string Marker = "@@raw@@";
        var copy = body.DeepClone().AsObject();
        copy[field] = Marker;
        var json = Encoding.UTF8.GetBytes(Compact(copy));
        var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker));
        return [.. json[..at], .. raw, .. json[(at + Marker.Length)..]];
    }

    public static async Task<HttpResponseMessage> SendRawAsync(this HttpClient http, HttpMethod method, string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return await http.SendAsync(new HttpRequestMessage(method, path) { Content = content });
    }

    public static string Compact(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
