using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// The text rule meets PostgreSQL: its <c>varchar(n)</c> counts code points, exactly what our limits count,
/// and it cannot store NUL, which our edge refuses for every database alike.
/// </summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresTextTests(PostgresFixture fixture) : IAsyncLifetime
{
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _web = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _web = fixture.CreateWebClient();
        _http = _web.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _web.DisposeAsync();
    }

    [Fact]
    public async Task FortyFiveEmojiAreStoredInAVarchar45Column()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        vendor["rep_firstname"] = string.Concat(Enumerable.Repeat("😀", 45));

        await _http.AddAsync("vendor", vendor);

        await using var db = ((IStorageFixture)fixture).OpenDatabase();
        var stored = await db.Vendors.SingleAsync(v => v.Id == (int)vendor["id"]!);
        Assert.Equal((string?)vendor["rep_firstname"], stored.RepFirstname);
    }

    [Fact]
    public async Task ANulCharacterIsRejectedNamingTheFieldAndNothingIsStored()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        var id = Ids.Next();

        using var response = await _http.SendRawAsync(HttpMethod.Post, "/ch08/vendor/add",
            Bodies.WithRawText(Bodies.Vendor(id, loginId), "account_name", Encoding.ASCII.GetBytes("Acct\\u0000")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["account_name"]);
        await using var db = ((IStorageFixture)fixture).OpenDatabase();
        Assert.False(await db.Vendors.AnyAsync(v => v.Id == id));
    }
}
