using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Messaging;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Messaging;

/// <summary>
/// Sends survive a SIGKILL of the silo process: messages sent while the consumers were paused, and messages
/// sent while they ran (killed at once, mid-consumption), are all consumed after a restart, each exactly once.
/// </summary>
public abstract class SiloCrashTests : IAsyncLifetime
{
    private const int PerPhase = 30;

    private protected abstract SiloDatabase Database { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Database.DisposeAsync();

    private Task<Dictionary<string, string>> CreateDatabaseAsync() => Database.CreateAsync();

    private NewsstandDbContext OpenDatabase() => Database.Open();

    [Fact]
    public async Task EveryAcknowledgedSendIsConsumedExactlyOnceAcrossKills()
    {
        var database = await CreateDatabaseAsync();
        var paused = new Dictionary<string, string>(database) { ["Topic__PauseConsumers"] = "true" };
        var (loginId, vendorId, poisonId) = (Ids.Next(), Ids.Next(), Ids.Next());
        var sent = new List<int>();

        await using (var silo = await SiloProcess.StartAsync("silo", paused))
        {
            await using (var web = WebClient(silo))
            {
                await web.Http.AddAsync("login", Bodies.Login(loginId));
                await web.Http.AddAsync("vendor", Bodies.Vendor(vendorId, loginId));
                await SendAsync(web, Bodies.Messenger(poisonId, int.MaxValue - 19));
                sent.AddRange(await SendManyAsync(web, vendorId));
            }
            await silo.KillAsync();
        }
        await using (var db = OpenDatabase())
        {
            Assert.Equal(PerPhase + 1, await db.Set<TopicMessage>().CountAsync());
            Assert.Equal(0, await db.Messengers.CountAsync());
        }

        await using (var silo = await SiloProcess.StartAsync("silo", database))
        {
            await using (var web = WebClient(silo))
            {
                sent.AddRange(await SendManyAsync(web, vendorId));
            }
            // At once: some of these are consumed, some are not yet.
            await silo.KillAsync();
        }

        await using (var silo = await SiloProcess.StartAsync("silo", database))
        await using (var web = WebClient(silo))
        await using (var feed = await SseReader.OpenAsync(web.Http, "/ch08/messenger/sse/add", "0"))
        {
            var statuses = new Dictionary<int, List<bool>>();
            for (var i = 0; i < sent.Count + 1; i++)
            {
                var next = await feed.NextAsync();
                var id = (int)JsonNode.Parse(next.Data)!["messenger"]!["id"]!;
                statuses.TryAdd(id, []);
                statuses[id].Add(next.Event == "messenger.added");
            }
            Assert.Equal([false], statuses[poisonId]);
            Assert.All(sent, id => Assert.Equal([true], statuses[id]));
        }

        await using var check = OpenDatabase();
        Assert.Equal(sent.Order(), await check.Messengers.OrderBy(m => m.Id).Select(m => m.Id).ToListAsync());
        var failure = Assert.Single(await check.Set<TopicFailure>().ToListAsync());
        Assert.Equal(poisonId, (await check.Set<TopicMessage>().SingleAsync(m => m.Partition == failure.Partition && m.Seq == failure.Seq)).Key);
        Assert.Equal(sent.Count + 1, await check.Set<TopicCheckpoint>().SumAsync(c => c.Position));
    }

    private static KestrelWebClient WebClient(SiloProcess silo) => KestrelWebClient.ForSilo(silo);

    private static async Task<List<int>> SendManyAsync(KestrelWebClient web, int vendorId)
    {
        var ids = Enumerable.Range(0, PerPhase).Select(_ => Ids.Next()).ToList();
        await Task.WhenAll(ids.Select(id => SendAsync(web, Bodies.Messenger(id, vendorId))));
        return ids;
    }

    private static async Task SendAsync(KestrelWebClient web, JsonObject messenger)
    {
        using var response = await web.Http.PostAsync("/ch08/messenger/kafka/send", messenger);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class SqliteSiloCrashTests : SiloCrashTests
{
    private protected override SiloDatabase Database { get; } = new SqliteSiloDatabase("nsms-crash-");
}

public sealed class PostgresSiloCrashTests : SiloCrashTests
{
    private protected override SiloDatabase Database { get; } = new PostgresSiloDatabase("nsms_crash_");
}
