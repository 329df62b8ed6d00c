using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Idempotency;
using Newsstand.Messaging;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// <c>Idempotency-Key</c> through the real web client on Kestrel (real sockets, each test from a loopback address of its
/// own, so each is its own caller): one effect per key, the stored answer replayed, the refusals (400, 422, 409), the
/// key's scope, a second web client, concurrent duplicates, and the OpenAPI document.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class IdempotencyKeyTests(ClusterFixture fixture) : IAsyncLifetime
{
    private KestrelWebClient _web = null!;
    private HttpClient _http = null!;
    private IPAddress _caller = null!;

    public async Task InitializeAsync()
    {
        _web = await fixture.EdgeAsync();
        _caller = KestrelWebClient.FreshLoopbackAddress();
        _http = _web.CreateClient(_caller);
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AKeyedAddTakesEffectOnceAndItsRepeatGetsTheStoredAnswer()
    {
        var loginId = Ids.Next();
        await fixture.Http.AddAsync("login", Bodies.Login(loginId));
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var key = NewKey();

        using var first = await PostAsync(_http, "/ch08/vendor/add", vendor, key);
        using var repeat = await PostAsync(_http, "/ch08/vendor/add", vendor, key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.Equal(first.Content.Headers.ContentType, repeat.Content.Headers.ContentType);
        Assert.True(JsonNode.DeepEquals(vendor, JsonNode.Parse(await repeat.Content.ReadAsStringAsync())));
        // The same add without the key is a second attempt: the row exists once.
        using var unkeyed = await _http.PostAsync("/ch08/vendor/add", JsonContent.Create(vendor));
        Assert.Equal(HttpStatusCode.Conflict, unkeyed.StatusCode);
        await using var db = fixture.OpenDatabase();
        Assert.Equal(1, await db.Vendors.CountAsync(v => v.Id == (int)vendor["id"]!));
        Assert.Equal(1, await db.Set<IdempotencyRecord>().CountAsync(a => a.Key == key));
    }

    [Fact]
    public async Task AKeyedLoginAddAndUpdateStoreTheLoginAsAnsweredAndReplayItWithoutTheirPasswords()
    {
        var id = Ids.Next();
        var addKey = NewKey();
        var updateKey = NewKey();
        var change = Bodies.Login(id, username: $"Changed{id}", password: "an0ther-pass");

        using var added = await PostAsync(_http, "/ch08/login/add", Bodies.Login(id, username: $"Keyed{id}"), addKey);
        using var addedAgain = await PostAsync(_http, "/ch08/login/add", Bodies.Login(id, username: $"Keyed{id}"), addKey);
        using var updated = await PatchAsync(_http, $"/ch08/login/update?id={id}", change, updateKey);
        using var updatedAgain = await PatchAsync(_http, $"/ch08/login/update?id={id}", change, updateKey);

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal("true", addedAgain.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await added.Content.ReadAsStringAsync(), await addedAgain.Content.ReadAsStringAsync());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["id"] = id, ["username"] = $"keyed{id}", ["user_type"] = 1 },
            JsonNode.Parse(await addedAgain.Content.ReadAsStringAsync())));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("true", updatedAgain.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await updated.Content.ReadAsStringAsync(), await updatedAgain.Content.ReadAsStringAsync());
        await using var db = fixture.OpenDatabase();
        var answers = await db.Set<IdempotencyRecord>().Where(a => a.Key == addKey || a.Key == updateKey).ToListAsync();
        Assert.Equal(2, answers.Count);
        Assert.All(answers, a => Assert.DoesNotContain("pass", Encoding.UTF8.GetString(a.Body), StringComparison.Ordinal));
        Assert.Equal($"changed{id}", await db.Logins.Where(l => l.Id == id).Select(l => l.Username).SingleAsync());
    }

    [Fact]
    public async Task AnAnswerThatRefusedTheWriteIsStoredAndReplayedToo()
    {
        var vendor = Bodies.Vendor(Ids.Next(), loginId: Ids.Next());
        var key = NewKey();

        using var first = await PostAsync(_http, "/ch08/vendor/add", vendor, key);
        using var repeat = await PostAsync(_http, "/ch08/vendor/add", vendor, key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, repeat.StatusCode);
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.Equal("application/problem+json", repeat.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheSameKeyWithAnotherRequestAnswers422AndChangesNothing()
    {
        var (loginId, _) = await fixture.Http.AddLoginAndVendorAsync();
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var other = Bodies.Vendor(Ids.Next(), loginId);
        var key = NewKey();
        using var first = await PostAsync(_http, "/ch08/vendor/add", vendor, key);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var otherBody = await PostAsync(_http, "/ch08/vendor/add", other, key);
        using var otherPath = await PostAsync(_http, "/ch08/customer/add", Bodies.Customer((int)other["id"]!, loginId), key);
        using var otherQuery = await PostAsync(_http, "/ch08/vendor/add?x=1", vendor, key);

        foreach (var response in new[] { otherBody, otherPath, otherQuery })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = await Bodies.ProblemAsync(response);
            Assert.Contains("different request", KeyError(problem), StringComparison.Ordinal);
        }
        await using var db = fixture.OpenDatabase();
        Assert.Equal(0, await db.Vendors.CountAsync(v => v.Id == (int)other["id"]!));
        Assert.Equal(0, await db.Customers.CountAsync(c => c.Id == (int)other["id"]!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"\"")]
    [InlineData("tab\there")]
    [InlineData("256")]
    public async Task AMalformedKeyAnswers400AndChangesNothing(string key)
    {
        var (loginId, _) = await fixture.Http.AddLoginAndVendorAsync();
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var request = new HttpRequestMessage(HttpMethod.Post, "/ch08/vendor/add") { Content = JsonContent.Create(vendor) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key == "256" ? new string('k', 256) : key);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("printable ASCII", KeyError(await Bodies.ProblemAsync(response)), StringComparison.Ordinal);
        await using var db = fixture.OpenDatabase();
        Assert.Equal(0, await db.Vendors.CountAsync(v => v.Id == (int)vendor["id"]!));
    }

    [Fact]
    public async Task TheLongestKeyAndTheQuotedFormAreTheSameKeyRules()
    {
        var (loginId, _) = await fixture.Http.AddLoginAndVendorAsync();
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var key = NewKey() + new string('~', 255 - 32);
        Assert.Equal(255, key.Length);

        using var first = await PostAsync(_http, "/ch08/vendor/add", vendor, key);
        using var quoted = await PostAsync(_http, "/ch08/vendor/add", vendor, $"\"{key}\"");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, quoted.StatusCode);
        Assert.Equal("true", quoted.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task ARepeatWhileTheFirstRunsAnswers409WithRetryAfterAndThenTheRequestRuns()
    {
        var (loginId, _) = await fixture.Http.AddLoginAndVendorAsync();
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var key = NewKey();
        // The first request, held at its key's grain as the web client holds it while the endpoint runs.
        var grain = fixture.Grains.IdempotencyKey("address:" + _caller, key);
        var fingerprint = Fingerprint("POST", "/ch08/vendor/add", "", Encoding.UTF8.GetBytes(vendor.ToJsonString()));
        Assert.Equal(IdempotencyVerdict.Proceed, (await grain.BeginAsync(fingerprint)).Verdict);

        using var during = await PostRawAsync(_http, "/ch08/vendor/add", vendor.ToJsonString(), key);
        await grain.AbandonAsync(fingerprint);
        using var after = await PostRawAsync(_http, "/ch08/vendor/add", vendor.ToJsonString(), key);

        Assert.Equal(HttpStatusCode.Conflict, during.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), during.Headers.RetryAfter?.Delta);
        Assert.Contains("still running", KeyError(await Bodies.ProblemAsync(during)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.False(after.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task KeysAreTheCallersOwnAnotherCallerWithTheSameKeyIsAnotherRequest()
    {
        var (loginId, _) = await fixture.Http.AddLoginAndVendorAsync();
        var mine = Bodies.Vendor(Ids.Next(), loginId);
        var theirs = Bodies.Vendor(Ids.Next(), loginId);
        var key = NewKey();
        using var other = _web.CreateClient(KestrelWebClient.FreshLoopbackAddress());

        using var first = await PostAsync(_http, "/ch08/vendor/add", mine, key);
        using var second = await PostAsync(other, "/ch08/vendor/add", theirs, key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.False(second.Headers.Contains("Idempotent-Replayed"));
        Assert.True(JsonNode.DeepEquals(theirs, JsonNode.Parse(await second.Content.ReadAsStringAsync())));
    }

    [Fact]
    public async Task AnotherWebClientReplaysTheStoredAnswer()
    {
        var (loginId, _) = await fixture.Http.AddLoginAndVendorAsync();
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var key = NewKey();
        await using var second = fixture.CreateKestrelClient();
        using var secondHttp = second.CreateClient(_caller);

        using var first = await PostAsync(_http, "/ch08/vendor/add", vendor, key);
        using var repeat = await PostAsync(secondHttp, "/ch08/vendor/add", vendor, key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConcurrentDuplicatesOfAnAddTakeEffectExactlyOnce()
    {
        var (loginId, _) = await fixture.Http.AddLoginAndVendorAsync();
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var key = NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => PostAsync(_http, "/ch08/vendor/add", vendor, key)));

        // Each duplicate got the one answer (first or replayed) or was told to wait for it: none is a second effect or a conflict with itself.
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK && !r.Headers.Contains("Idempotent-Replayed")));
        Assert.All(responses, r => Assert.True(r.StatusCode == HttpStatusCode.OK || (r.StatusCode == HttpStatusCode.Conflict && r.Headers.RetryAfter is not null),
            $"answered {(int)r.StatusCode}"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
        await using var db = fixture.OpenDatabase();
        Assert.Equal(1, await db.Vendors.CountAsync(v => v.Id == (int)vendor["id"]!));
    }

    [Fact]
    public async Task AKeyedSendIsAppendedOnceAndConsumedOnceHoweverOftenItIsRepeated()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var messenger = Bodies.Messenger(Ids.Next(), vendorId);
        var key = NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(_http, "/ch08/messenger/kafka/send", messenger, key)));
        using var later = await PostAsync(_http, "/ch08/messenger/kafka/send", messenger, key);

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"answered {(int)r.StatusCode}"));
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.Equal("true", later.Headers.GetValues("Idempotent-Replayed").Single());
        var messageId = MessageId("address:" + _caller, key);
        await using var db = fixture.OpenDatabase();
        Assert.Equal(1, await db.Set<TopicMessage>().CountAsync(m => m.MessageId == messageId));
        await Eventually.TrueAsync(async () =>
        {
            await using var check = fixture.OpenDatabase();
            return await check.Messengers.CountAsync(m => m.Id == (int)messenger["id"]!) == 1;
        });
        Assert.Equal(0, await db.Set<TopicFailure>().CountAsync(f => f.Reason.Contains(messenger["id"]!.ToString())));
    }

    [Fact]
    public async Task EveryPostAndPatchOperationDocumentsTheOptionalHeader()
    {
        var document = JsonNode.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"))!;
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(op => op.Key is "post" or "patch").Select(op => (Path: path.Key, Operation: op.Value!)))
            .ToList();

        Assert.NotEmpty(operations);
        Assert.Contains(operations, o => o.Path == "/ch08/login/update");
        Assert.All(operations, o =>
        {
            var header = o.Operation["parameters"]?.AsArray().SingleOrDefault(p => (string?)p!["name"] == "Idempotency-Key");
            Assert.True(header is not null, $"{o.Path} lacks the header");
            Assert.Equal("header", (string?)header!["in"]);
            Assert.NotEqual(true, (bool?)header["required"]);
        });
        var get = document["paths"]!["/ch08/vendor/list"]!["get"]!;
        Assert.DoesNotContain(get["parameters"]?.AsArray() ?? [], p => (string?)p!["name"] == "Idempotency-Key");
    }

    /// <summary>The problem's one message about the header (its errors entry, named by the JSON naming policy).</summary>
    internal static string KeyError(JsonObject problem) => (string)problem["errors"]!["Idempotency-Key"]![0]!;

    internal static string NewKey() => Guid.NewGuid().ToString("N");

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, JsonNode body, string key) =>
        await PostRawAsync(http, path, body.ToJsonString(), key);

    internal static async Task<HttpResponseMessage> PostRawAsync(HttpClient http, string path, string json, string key) =>
        await SendAsync(http, HttpMethod.Post, path, json, key);

    internal static async Task<HttpResponseMessage> PatchAsync(HttpClient http, string path, JsonNode body, string key) =>
        await SendAsync(http, HttpMethod.Patch, path, body.ToJsonString(), key);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string json, string key)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await http.SendAsync(request);
    }

    /// <summary>The web client's fingerprint of a request: method, path, query and the body's bytes, SHA-256.</summary>
    private static string Fingerprint(string method, string path, string query, byte[] body) =>
        Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes($"{method}\n{path}\n{query}\n"), .. body]));

    internal static string MessageId(string scope, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(IdempotencyKeys.GrainKey(scope, key))));
}
