using System.Net;
using Microsoft.EntityFrameworkCore;
using Newsstand.Grains;
using Newsstand.Idempotency;
using Newsstand.Tests.Api;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Grains;

/// <summary>
/// Stored idempotency answers on the fake-time cluster: they outlive a silo restart, and the silo's purge deletes them
/// once their retention has passed on the grains' clock, after which the key is new again.
/// </summary>
[Collection(FakeTimeClusterDefinition.Name)]
public sealed class IdempotencyRetentionTests(FakeTimeClusterFixture fixture)
{
    [Fact]
    public async Task AStoredAnswerOutlivesASiloRestartAndIsPurgedAfterItsRetention()
    {
        // A running monitor would tick once per period of the day the clock jumps.
        await fixture.Grains.GetGrain<ISubscriptionMonitorGrain>(0).StopAsync();
        using var http = fixture.CreateHttpClient();
        var (loginId, _) = await http.AddLoginAndVendorAsync();
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var key = IdempotencyKeyTests.NewKey();
        using var first = await IdempotencyKeyTests.PostAsync(http, "/ch08/vendor/add", vendor, key);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        await fixture.RestartSiloAsync();
        using var afterRestart = await IdempotencyKeyTests.PostAsync(http, "/ch08/vendor/add", vendor, key);
        Assert.Equal(HttpStatusCode.OK, afterRestart.StatusCode);
        Assert.Equal("true", afterRestart.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await afterRestart.Content.ReadAsStringAsync());

        // Just short of the retention nothing is purged; past it (and one purge interval) the answer is gone.
        var options = new IdempotencyOptions();
        fixture.Clock.Advance(options.Retention - TimeSpan.FromMinutes(1));
        await Task.Delay(200);
        Assert.Equal(1, await StoredAsync(key));
        fixture.Clock.Advance(options.PurgeInterval + TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(async () => await StoredAsync(key) == 0);

        // The key is new again: another request with it takes effect.
        var other = Bodies.Vendor(Ids.Next(), loginId);
        using var reused = await IdempotencyKeyTests.PostAsync(http, "/ch08/vendor/add", other, key);
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.False(reused.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task APurgeDeletesInBoundedBatchesUntilNoExpiredAnswerIsLeft()
    {
        var now = fixture.Clock.GetUtcNow();
        var retention = new IdempotencyOptions().Retention;
        var batch = new IdempotencyOptions().PurgeBatch;
        var scope = "test:" + Guid.NewGuid().ToString("N");
        await using (var db = fixture.OpenDatabase())
        {
            // Expired ones over two batches and a half, and one still within its retention.
            var expired = (now - retention - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds();
            db.AddRange(Enumerable.Range(0, batch * 5 / 2).Select(i => new IdempotencyRecord(scope, $"k{i}", new string('0', 64), 200, null, null, [], expired)));
            db.Add(new IdempotencyRecord(scope, "fresh", new string('0', 64), 200, null, null, [], now.ToUnixTimeMilliseconds()));
            await db.SaveChangesAsync();
        }

        fixture.Clock.Advance(new IdempotencyOptions().PurgeInterval);

        await Eventually.TrueAsync(async () =>
        {
            await using var db = fixture.OpenDatabase();
            return await db.Set<IdempotencyRecord>().CountAsync(a => a.Scope == scope) == 1;
        });
        await using var check = fixture.OpenDatabase();
        Assert.Equal("fresh", (await check.Set<IdempotencyRecord>().SingleAsync(a => a.Scope == scope)).Key);
    }

    private async Task<int> StoredAsync(string key)
    {
        await using var db = fixture.OpenDatabase();
        return await db.Set<IdempotencyRecord>().CountAsync(a => a.Key == key);
    }
}
