using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Idempotency;
using Newsstand.Messaging;
using Newsstand.Records;
using Newsstand.Tests.Api;
using Newsstand.Tests.Infrastructure;
using Npgsql;
using Orleans.TestingHost;

namespace Newsstand.Tests.Storage;

/// <summary>
/// PostgreSQL commits whose answer is lost (<see cref="CommitCutter"/> drops the server's reply to COMMIT and cuts the
/// connection): the writers are told the outcome is unknown (503), nothing is applied a second time, and the owner's
/// memory agrees with the database afterwards. A silo of its own, talking to the database through the cutter.
/// </summary>
public sealed class UnknownCommitOutcomeTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "nsms-cut-" + Guid.NewGuid().ToString("N"));
    private ScratchDatabase _database = null!;
    private CommitCutter _cutter = null!;
    private TestCluster _cluster = null!;
    private WebApplicationFactory<Program>? _web;

    private IGrainFactory Grains => _cluster.Client;

    public async Task InitializeAsync()
    {
        _database = await ScratchDatabase.CreateAsync("nsms_cut_");
        var direct = new NpgsqlConnectionStringBuilder(_database.ConnectionString);
        _cutter = CommitCutter.Start(direct.Host!, direct.Port);
        var proxied = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Host = "127.0.0.1", Port = _cutter.Port }.ToString();
        _cluster = await NewsstandCluster.StartAsync(NewsstandCluster.Settings(_dataDirectory, proxied));
        // The consumers create their checkpoints as they start: done before any test arms the cutter.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Grains.MessengerConsumer(p).EnsureRunningAsync()));
    }

    public async Task DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }
        await _cluster.DisposeAsync();
        await _cutter.DisposeAsync();
        await _database.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task AnInsertWhoseCommitAnswerIsLostAnswers503AndTheOwnerShowsTheStoredRowWithoutStoringItTwice()
    {
        var loginId = Ids.Next();
        await Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var vendor = new VendorRecord(Ids.Next(), "Rep", "Doe", "R", new DateOnly(2022, 1, 1), "Acct", "1", new DateOnly(2022, 2, 1), loginId);
        var owner = Grains.RecordOwner<VendorRecord>(vendor.Id);

        _cutter.Arm();
        var unknown = await Assert.ThrowsAsync<CommitOutcomeUnknownException>(() => owner.AddAsync(vendor).WaitAsync(Patience));
        await _cutter.Cut.Task.WaitAsync(Patience);

        Assert.Contains("Idempotency-Key", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(db => db.Vendors.CountAsync(v => v.Id == vendor.Id)));
        Assert.True(await owner.ContainsAsync(vendor.Id), "The owner serves from rows it read again: the stored vendor is there.");
        var retry = await Assert.ThrowsAsync<RecordConflictException>(() => owner.AddAsync(vendor));
        Assert.Equal("id", retry.Field);
        Assert.Equal(1, await CountAsync(db => db.Vendors.CountAsync(v => v.Id == vendor.Id)));
    }

    [Fact]
    public async Task AnAppendWhoseCommitAnswerIsLostIsStoredOnceWhenRetriedWithItsMessageId()
    {
        var topic = "test-" + Guid.NewGuid().ToString("N")[..12];
        var partition = Grains.TopicPartition(topic, 0);
        await partition.AppendAsync(1, "{\"n\":1}", "before");

        _cutter.Arm();
        await Assert.ThrowsAsync<CommitOutcomeUnknownException>(() => partition.AppendAsync(2, "{\"n\":2}", "lost-answer").WaitAsync(Patience));
        await _cutter.Cut.Task.WaitAsync(Patience);
        var retried = await partition.AppendAsync(2, "{\"n\":2}", "lost-answer");
        var next = await partition.AppendAsync(3, "{\"n\":3}", "after");

        Assert.Equal(2, retried.Sequence);
        Assert.Equal(3, next.Sequence);
        Assert.Equal([1L, 2L, 3L], await CountAsync(db => db.Set<TopicMessage>().Where(m => m.Topic == topic).OrderBy(m => m.Seq).Select(m => m.Seq).ToListAsync()));
    }

    [Fact]
    public async Task AKeyedAddWhoseCommitAnswerIsLostIsAnsweredByItsRetryWithTheOriginalAnswerAndStoredOnce()
    {
        var loginId = Ids.Next();
        await Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var vendor = Bodies.Vendor(Ids.Next(), loginId);
        var key = IdempotencyKeyTests.NewKey();
        using var http = Http();

        _cutter.Arm(key);
        using var lost = await IdempotencyKeyTests.PostAsync(http, "/ch08/vendor/add", vendor, key).WaitAsync(Patience);
        await _cutter.Cut.Task.WaitAsync(Patience);
        using var retry = await IdempotencyKeyTests.PostAsync(http, "/ch08/vendor/add", vendor, key);

        await AssertLostThenReplayedAsync(lost, retry, vendor);
        Assert.NotNull(lost.Headers.RetryAfter);
        Assert.Contains("Idempotency-Key", (string)(await Bodies.ProblemAsync(lost))["detail"]!, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(db => db.Vendors.CountAsync(v => v.Id == (int)vendor["id"]!)));
        Assert.Equal(1, await CountAsync(db => db.Set<IdempotencyRecord>().CountAsync(a => a.Key == key)));
    }

    [Fact]
    public async Task AKeyedLoginAddWhoseCommitAnswerIsLostIsAnsweredByItsRetryWithTheOriginalAnswerAndStoredOnce()
    {
        var id = Ids.Next();
        var login = Bodies.Login(id, username: $"  Keyed{id} ");
        var key = IdempotencyKeyTests.NewKey();
        using var http = Http();

        _cutter.Arm(key);
        using var lost = await IdempotencyKeyTests.PostAsync(http, "/ch08/login/add", login, key).WaitAsync(Patience);
        await _cutter.Cut.Task.WaitAsync(Patience);
        using var retry = await IdempotencyKeyTests.PostAsync(http, "/ch08/login/add", login, key);

        await AssertLostThenReplayedAsync(lost, retry, new JsonObject { ["id"] = id, ["username"] = $"keyed{id}", ["user_type"] = 1 });
        Assert.Equal(1, await CountAsync(db => db.Logins.CountAsync(l => l.Id == id)));
        Assert.Equal(1, await CountAsync(db => db.Set<IdempotencyRecord>().CountAsync(a => a.Key == key)));
        // The name's owner read the stored login again: the new login can sign in.
        using var verify = await http.PostAsync("/ch08/login/verify", JsonContent.Create(new JsonObject { ["username"] = $"keyed{id}", ["password"] = "s3cret-pass" }));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Fact]
    public async Task AKeyedLoginUpdateWhoseCommitAnswerIsLostIsAnsweredByItsRetryWithTheOriginalAnswerAndAppliedOnce()
    {
        var id = Ids.Next();
        await Grains.LoginOwner(id).AddAsync(new NewLogin(id, $"user{id}", "s3cret-pass", 1));
        var change = Bodies.Login(id, username: $"Renamed{id}", password: "n3w-secret-pass");
        var key = IdempotencyKeyTests.NewKey();
        using var http = Http();

        _cutter.Arm(key);
        using var lost = await IdempotencyKeyTests.PatchAsync(http, $"/ch08/login/update?id={id}", change, key).WaitAsync(Patience);
        await _cutter.Cut.Task.WaitAsync(Patience);
        var committed = await CountAsync(db => db.Logins.Where(l => l.Id == id).Select(l => l.Password).SingleAsync());
        using var retry = await IdempotencyKeyTests.PatchAsync(http, $"/ch08/login/update?id={id}", change, key);

        await AssertLostThenReplayedAsync(lost, retry, new JsonObject { ["id"] = id, ["username"] = $"renamed{id}", ["user_type"] = 1 });
        // No second effect: the hash (salted anew by every update) is the one the lost commit stored.
        Assert.Equal(committed, await CountAsync(db => db.Logins.Where(l => l.Id == id).Select(l => l.Password).SingleAsync()));
        Assert.Equal(1, await CountAsync(db => db.Set<IdempotencyRecord>().CountAsync(a => a.Key == key)));
        using var verify = await http.PostAsync("/ch08/login/verify", JsonContent.Create(new JsonObject { ["username"] = $"renamed{id}", ["password"] = "n3w-secret-pass" }));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Fact]
    public async Task AKeyedSendWhoseCommitAnswerIsLostIsAppendedAndConsumedOnceWhenRetried()
    {
        var loginId = Ids.Next();
        await Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var vendorId = Ids.Next();
        await Grains.RecordOwner<VendorRecord>(vendorId).AddAsync(
            new VendorRecord(vendorId, "Rep", "Doe", "R", new DateOnly(2022, 1, 1), "Acct", "1", new DateOnly(2022, 2, 1), loginId));
        var messenger = Bodies.Messenger(Ids.Next(), vendorId);
        var key = IdempotencyKeyTests.NewKey();
        var messageId = IdempotencyKeyTests.MessageId("address:unknown", key);
        using var http = Http();

        // The append's own commit (its message id is among the statement's parameters), not a consumer's checkpoint.
        _cutter.Arm(messageId);
        using var lost = await IdempotencyKeyTests.PostAsync(http, "/ch08/messenger/kafka/send", messenger, key).WaitAsync(Patience);
        await _cutter.Cut.Task.WaitAsync(Patience);
        using var retry = await IdempotencyKeyTests.PostAsync(http, "/ch08/messenger/kafka/send", messenger, key);
        using var again = await IdempotencyKeyTests.PostAsync(http, "/ch08/messenger/kafka/send", messenger, key);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await CountAsync(db => db.Set<TopicMessage>().CountAsync(m => m.MessageId == messageId)));
        var id = (int)messenger["id"]!;
        await Eventually.TrueAsync(async () => await CountAsync(db => db.Messengers.CountAsync(m => m.Id == id)) == 1);
        // Consumed once: the one message was applied, and no second copy was recorded as failed ("already exists").
        await Grains.MessengerConsumer(0).EnsureRunningAsync();
        Assert.Equal(0, await CountAsync(db => db.Set<TopicFailure>().CountAsync(f => f.Reason.Contains(id.ToString(CultureInfo.InvariantCulture)))));
    }

    private HttpClient Http()
    {
        _web ??= NewsstandCluster.CreateWebClient(_cluster);
        return _web.CreateClient();
    }

    private async Task<T> CountAsync<T>(Func<NewsstandDbContext, Task<T>> query)
    {
        await using var db = _cluster.GetSiloServiceProvider(_cluster.Primary!.SiloAddress).GetRequiredService<NewsstandDb>().CreateContext();
        return await query(db);
    }

    /// <summary>The first answer was lost (503); the retry replays the stored answer, which is <paramref name="expected"/>.</summary>
    private static async Task AssertLostThenReplayedAsync(HttpResponseMessage lost, HttpResponseMessage retry, JsonNode expected)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(await retry.Content.ReadAsStringAsync())));
    }
}
