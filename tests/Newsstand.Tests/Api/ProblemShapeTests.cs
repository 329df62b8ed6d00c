using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>One status, one problem shape, whichever layer noticed; and no error message quotes the body.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed partial class ProblemShapeTests(ClusterFixture fixture)
{
    private const int OneMebibyte = 1024 * 1024;

    [Fact]
    public async Task EveryTooLargeBodyAnswersTheSameProblemWhoeverCaughtIt()
    {
        var edge = await fixture.EdgeAsync();
        using var http = edge.CreateClient();
        var big = Encoding.UTF8.GetBytes("{\"content\":\"" + new string('c', OneMebibyte) + "\"}");

        // Declared length over the limit: the JSON binder refuses before reading. The client waits for
        // "100 Continue" (which never comes), so it is not still sending when the server closes.
        using var declaredRequest = new HttpRequestMessage(HttpMethod.Post, "/ch08/content/add") { Content = Json(new ByteArrayContent(big)) };
        declaredRequest.Headers.ExpectContinue = true;
        using var declared = await http.SendAsync(declaredRequest);
        // No declared length: Kestrel's own limit trips while the binder reads.
        using var chunked = await http.SendAsync(Chunked(big));
        // The in-process test server has no Kestrel: the binder's running count trips.
        using var counted = await fixture.Http.SendAsync(Chunked(big));

        await AssertSameProblemAsync(HttpStatusCode.RequestEntityTooLarge, declared, chunked, counted);
    }

    [Fact]
    public async Task EveryUnsupportedMediaTypeAnswersTheSameProblemWhoeverCaughtIt()
    {
        var http = fixture.Http;
        var body = Bodies.Compact(Bodies.Vendor(Ids.Next(), 1));

        // A media type the route does not accept: routing refuses it before the endpoint runs.
        using var text = await http.PostAsync("/ch08/vendor/add", new StringContent(body, Encoding.UTF8, "text/plain"));
        using var form = await http.PostAsync("/ch08/login/add", new StringContent("id=1&username=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        // No media type at all: the JSON binder refuses it.
        var bare = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        using var none = await http.PostAsync("/ch08/vendor/add", bare);

        // JSON, but compressed: the binder reads no Content-Encoding.
        var gzip = new StringContent(body, Encoding.UTF8, "application/json");
        gzip.Headers.ContentEncoding.Add("gzip");
        using var compressed = await http.PostAsync("/ch08/vendor/add", gzip);

        Assert.Null(bare.Headers.ContentType);
        await AssertSameProblemAsync(HttpStatusCode.UnsupportedMediaType, text, form, none, compressed);
    }

    [Theory]
    [InlineData("{\"username\":\"u\",\"password\":\"@\"x}")]
    [InlineData("{\"username\":\"u\",\"password\":\"@")]
    [InlineData("{\"username\":\"u\",\"password\":@}")]
    [InlineData("{\"username\":\"u\",\"password\":\"@\"\n,\"x\":tru}")]
    [InlineData("{\"username\":\"u\",\"password\":\"@\\q\"}")]
    public async Task AJsonSyntaxErrorNamesItsPositionButQuotesNothingOfTheBody(string shape)
    {
        var sentinel = "Pw" + Guid.NewGuid().ToString("N");
        var raw = shape.Replace("@", sentinel, StringComparison.Ordinal);

        using var response = await fixture.Http.PostAsync("/ch08/login/verify", new StringContent(raw, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(sentinel[..6], text, StringComparison.Ordinal);
        var message = (string?)(await Bodies.ProblemAsync(response))["errors"]!["body"]![0];
        Assert.Matches(PositionOnly(), message);
    }

    [Theory]
    [InlineData("{\"username\":\"u\",\"password\":\"@\",\"password\":\"@\"}", "password")]
    [InlineData("{\"username\":\"u\",\"password\":\"@\",\"extra\":{\"note\":\"@\",\"note\":1}}", "note")]
    public async Task ARepeatedPropertyIsNamedButItsValueIsNotQuoted(string shape, string repeated)
    {
        var sentinel = "Pw" + Guid.NewGuid().ToString("N");
        var raw = shape.Replace("@", sentinel, StringComparison.Ordinal);

        using var response = await fixture.Http.PostAsync("/ch08/login/verify", new StringContent(raw, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(sentinel[..6], await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var errors = (await Bodies.ProblemAsync(response))["errors"]!.AsObject();
        Assert.Equal([repeated], errors.Select(e => e.Key));
        Assert.Equal("The property appears more than once in the body.", (string?)errors[repeated]![0]);
    }

    [GeneratedRegex(@"^The body is not valid JSON \(line \d+, byte \d+\)\.$")]
    private static partial Regex PositionOnly();

    private static HttpRequestMessage Chunked(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/ch08/content/add") { Content = Json(new ByteArrayContent(body)) };
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    private static HttpContent Json(HttpContent content)
    {
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static async Task AssertSameProblemAsync(HttpStatusCode status, params HttpResponseMessage[] responses)
    {
        var problems = new List<JsonObject>();
        foreach (var response in responses)
        {
            Assert.True(status == response.StatusCode, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var problem = await Bodies.ProblemAsync(response);
            Assert.True(problem["errors"] is JsonObject errors && errors.Select(e => e.Key).SequenceEqual(["body"]), Bodies.Compact(problem));
            problem.Remove("trace_id");
            problems.Add(problem);
        }
        Assert.All(problems, p => Assert.True(JsonNode.DeepEquals(problems[0], p), $"{Bodies.Compact(problems[0])} differs from {Bodies.Compact(p)}"));
    }
}
