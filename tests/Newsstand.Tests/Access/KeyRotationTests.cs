using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Newsstand.Grains;
using Newsstand.Identity;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary>
/// Key rotation through the key ring's own path, on a cluster of its own whose grain clock is fake (and shared by
/// the web client, so tokens are judged on the same time line): the ring makes the next key when it is due, publishes
/// it, lets it sign one publish lead later, and keeps the previous key valid until its last token has expired.
/// </summary>
[Collection(KeyRotationClusterDefinition.Name)]
public sealed class KeyRotationTests(FakeTimeClusterFixture fixture)
{
    [Fact]
    public async Task ATokenOfThePreviousKeyWorksUntilItExpiresWhileNewTokensCarryTheNextKey()
    {
        var clock = fixture.Clock;
        var options = fixture.SiloService<IOptions<TokenOptions>>().Value;
        await using var web = fixture.CreateWebClient(AccessClusterFixture.RequiredSettings)
            .WithWebHostBuilder(host => host.ConfigureServices(services => services.AddSingleton<TimeProvider>(clock.Fake)));
        using var anonymous = web.CreateClient();
        var id = Ids.Next();
        var username = $"rotation{id}";
        const string password = "rotation-Passw0rd-long";
        (await anonymous.PostAsync("/ch08/login/add", Bodies.Login(id, username, password))).EnsureSuccessStatusCode();
        Task<string> SignInAsync() => AccessClusterFixture.TokenAsync(anonymous, username, password);

        var first = await SignInAsync();
        var signing = (await KeysAsync()).Single();
        Assert.Equal(signing.Id, Kid(first));

        // The moment the next key is due: the ring's next call makes it, to sign one publish lead from now.
        clock.Advance(signing.ActivatesAt + options.KeyRotationPeriod - options.KeyPublishLead - clock.GetUtcNow());
        Assert.Equal(signing.Id, Kid(await SignInAsync()));
        var next = (await KeysAsync()).Single(key => key.Id != signing.Id);
        Assert.Equal(clock.GetUtcNow() + options.KeyPublishLead, next.ActivatesAt);
        Assert.Contains(next.Id, await PublishedAsync());

        // Five minutes before the next key signs: still the previous key.
        clock.Advance(options.KeyPublishLead - TimeSpan.FromMinutes(5));
        var previous = await SignInAsync();
        Assert.Equal(signing.Id, Kid(previous));

        clock.Advance(TimeSpan.FromMinutes(5));
        var current = await SignInAsync();
        Assert.Equal(next.Id, Kid(current));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(web, previous));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(web, current));
        Assert.Equal(new[] { signing.Id, next.Id }.Order(StringComparer.Ordinal), (await PublishedAsync()).Order(StringComparer.Ordinal));

        // The previous token expires (10 min from now, plus the 30 s skew): refused; the next key's token still opens.
        clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(web, previous));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(web, current));

        // Once every token the previous key signed has expired, the ring stops publishing it (it stays in the table).
        clock.Advance(options.TokenLifetime - TimeSpan.FromMinutes(10));
        Assert.Equal([next.Id], await PublishedAsync());
        Assert.Equal(2, (await KeysAsync()).Count);
    }

    private static string Kid(string token) => new JsonWebToken(token).Kid;

    private async Task<List<Data.SigningKeyEntity>> KeysAsync()
    {
        await using var db = fixture.OpenDatabase();
        return await db.SigningKeys.AsNoTracking().ToListAsync();
    }

    private async Task<string[]> PublishedAsync() =>
        [.. (await fixture.Grains.GetGrain<ISigningKeyRingGrain>(0).GetPublicKeysAsync()).Select(key => key.KeyId)];

    private static async Task<HttpStatusCode> StatusAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> web, string token)
    {
        using var http = web.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var response = await http.GetAsync("/ch08/vendor/list");
        return response.StatusCode;
    }
}

/// <summary>A fake-time cluster of its own for <see cref="KeyRotationTests"/>: its clock jumps by weeks.</summary>
[CollectionDefinition(Name)]
public sealed class KeyRotationClusterDefinition : ICollectionFixture<FakeTimeClusterFixture>
{
    public const string Name = "Key rotation cluster";
}
