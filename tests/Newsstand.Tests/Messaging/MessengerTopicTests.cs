using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Api.Streaming;
using Newsstand.Grains;
using Newsstand.Messaging;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Messaging;

/// <summary>The messenger topic through the real web client on Kestrel: send, consume, failures, and the resumable event feed.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class MessengerTopicTests(ClusterFixture fixture) : IAsyncLifetime
{
    private const string Feed = "/ch08/messenger/sse/add";
    private KestrelWebClient _web = null!;

    public Task InitializeAsync()
    {
        _web = fixture.CreateKestrelClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task ASentMessengerIsInTheLogBeforeTheAnswer()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var id = Ids.Next();

        using var response = await _web.Http.PostAsync("/ch08/messenger/kafka/send", Bodies.Messenger(id, vendorId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"content\":\"messenger details sent\"}", await response.Content.ReadAsStringAsync());
        await using var db = fixture.OpenDatabase();
        var message = await db.Set<TopicMessage>().SingleAsync(m => m.Topic == Topics.News && m.Key == id);
        Assert.Equal(Topics.PartitionOf(id, 4), message.Partition);
        Assert.Equal(id, (int)JsonNode.Parse(message.Payload)!["id"]!);
    }

    [Fact]
    public async Task ABadBodyIsRefusedAndNothingIsPublished()
    {
        var id = Ids.Next();
        var body = Bodies.Messenger(id, 1);
        body.Remove("vendor_id");
        body["salary"] = "a lot";

        using var response = await _web.Http.PostAsync("/ch08/messenger/kafka/send", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Bodies.ProblemAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("vendor_id") && errors.ContainsKey("salary"), errors.ToJsonString());
        await using var db = fixture.OpenDatabase();
        Assert.False(await db.Set<TopicMessage>().AnyAsync(m => m.Topic == Topics.News && m.Key == id));
    }

    [Fact]
    public async Task APoisonMessageIsRecordedAsFailedOnceAndTheNextOneIsConsumed()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var from = await EndOfLogAsync();
        var ids = SamePartitionIds(3);
        var existing = ids[0];
        await fixture.Http.AddAsync("messenger", Bodies.Messenger(existing, vendorId));

        await SendAsync(Bodies.Messenger(ids[1], int.MaxValue - 17));
        var otherData = Bodies.Messenger(existing, vendorId);
        otherData["lastname"] = "Someone Else";
        await SendAsync(otherData);
        await SendAsync(Bodies.Messenger(ids[2], vendorId));

        await using var feed = await SseReader.OpenAsync(_web.Http, Feed, from);
        var events = await EventsForAsync(feed, ids[1], existing, ids[2]);
        Assert.Equal("messenger.failed", events[0].Event);
        Assert.Equal("messenger.failed", events[1].Event);
        Assert.Equal("messenger.added", events[2].Event);
        Assert.Equal($"Messenger{ids[2]}", (string)JsonNode.Parse(events[2].Data)!["messenger"]!["lastname"]!);
        Assert.Equal([ids[2]], (await fixture.Grains.RecordOwner<Records.MessengerRecord>(ids[2]).FindAsync([ids[2]])).Select(m => m.Id));
        var failed = (await fixture.Http.ListAsync("/ch08/messenger/kafka/failed?limit=10000")).Select(f => f!.AsObject()).ToList();
        var orphan = Assert.Single(failed, f => (int)f["messenger"]!["id"]! == ids[1]);
        Assert.Contains("vendor", (string)orphan["reason"]!, StringComparison.Ordinal);
        var duplicate = Assert.Single(failed, f => (int)f["messenger"]!["id"]! == existing);
        Assert.Contains("already exists with other data", (string)duplicate["reason"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessengerSentAgainWithTheSameDataIsAppliedOnceAndNotRecordedAsFailed()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var from = await EndOfLogAsync();
        var ids = SamePartitionIds(2);

        // A client's retry of a send whose answer it lost publishes the same messenger twice.
        await SendAsync(Bodies.Messenger(ids[0], vendorId));
        await SendAsync(Bodies.Messenger(ids[0], vendorId));
        await SendAsync(Bodies.Messenger(ids[1], vendorId));

        await using var feed = await SseReader.OpenAsync(_web.Http, Feed, from);
        var first = await EventsForAsync(feed, ids[0]);
        var rest = await EventsForAsync(feed, ids[0], ids[1]);
        Assert.All(first.Concat(rest), e => Assert.Equal("messenger.added", e.Event));
        var failed = (await fixture.Http.ListAsync("/ch08/messenger/kafka/failed?limit=10000")).Select(f => f!.AsObject()).ToList();
        Assert.DoesNotContain(failed, f => (int)f["messenger"]!["id"]! == ids[0]);
        await using var db = fixture.OpenDatabase();
        Assert.Equal(1, await db.Messengers.CountAsync(m => m.Id == ids[0]));
    }

    [Fact]
    public async Task TheFailedListPagesByKeyWithoutGapOrRepeatAndRefusesAnOffset()
    {
        var from = await EndOfLogAsync();
        var orphans = SamePartitionIds(5);
        foreach (var id in orphans)
        {
            await SendAsync(Bodies.Messenger(id, int.MaxValue - 23));
        }
        await using (var feed = await SseReader.OpenAsync(_web.Http, Feed, from))
        {
            Assert.All(await EventsForAsync(feed, orphans), e => Assert.Equal("messenger.failed", e.Event));
        }
        var all = await FailedAsync("limit=10000");

        var paged = new List<JsonObject>();
        var query = "limit=2";
        while (await FailedAsync(query) is { Count: > 0 } page)
        {
            paged.AddRange(page);
            query = $"limit=2&after_partition={page[^1]["partition"]}&after_sequence={page[^1]["sequence"]}";
        }

        Assert.Equal(all.Select(Place), paged.Select(Place));
        Assert.Superset(orphans.ToHashSet(), paged.Select(f => (int)f["messenger"]!["id"]!).ToHashSet());
        using var offset = await _web.Http.GetAsync("/ch08/messenger/kafka/failed?offset=2");
        Assert.Equal(HttpStatusCode.BadRequest, offset.StatusCode);
        Assert.True((await Bodies.ProblemAsync(offset))["errors"]!.AsObject().ContainsKey("offset"));
    }

    [Fact]
    public async Task AMessageWhoseIdAnotherRequestIsWritingIsRetriedAndAppliedNotRecordedAsFailed()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var from = await EndOfLogAsync();
        var id = SamePartitionIds(1)[0];
        var owner = fixture.Grains.RecordOwner<Records.MessengerRecord>(id);
        // Another request is writing messenger `id` (a POST /ch08/messenger/add in flight that will fail with 422).
        var other = Guid.NewGuid();
        await owner.ReserveAsync([new Records.MessengerRecord(id, "Other", "Writer", 1, new DateOnly(2021, 1, 1), 1, int.MaxValue - 41)], other);
        using var retries = RetryCounter.Listen(Topics.PartitionOf(id, 4));

        await SendAsync(Bodies.Messenger(id, vendorId));
        await retries.AtLeastAsync(2).WaitAsync(TimeSpan.FromSeconds(30));
        await owner.SettleAsync(other, [], outcomeKnown: true);

        await using var feed = await SseReader.OpenAsync(_web.Http, Feed, from);
        Assert.Equal("messenger.added", Assert.Single(await EventsForAsync(feed, id)).Event);
        var failed = (await fixture.Http.ListAsync("/ch08/messenger/kafka/failed?limit=10000")).Select(f => f!.AsObject());
        Assert.DoesNotContain(failed, f => (int)f["messenger"]!["id"]! == id);
    }

    [Fact]
    public async Task AHoleInTheLogIsWaitedOutWithGrowingPausesNotReadAgainInATightLoop()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var ids = SamePartitionIds(2);
        var partition = Topics.PartitionOf(ids[0], 4);
        await using var feed = await SseReader.OpenAsync(_web.Http, Feed, await EndOfLogAsync());
        using var retries = RetryCounter.Listen(partition);
        var last = await LastInLogAsync(partition);

        // The message after the next one is in the log; the next one is not (yet).
        await LogDirectlyAsync(partition, last + 2, ids[1], vendorId);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await retries.AtLeastAsync(4).WaitAsync(TimeSpan.FromSeconds(30));
        var fourRetries = started.Elapsed;
        await LogDirectlyAsync(partition, last + 1, ids[0], vendorId);

        Assert.True(fourRetries >= TimeSpan.FromMilliseconds(75), $"Four reads of the hole took {fourRetries.TotalMilliseconds} ms: no pause between them.");
        Assert.All(await EventsForAsync(feed, ids), e => Assert.Equal("messenger.added", e.Event));
    }

    private async Task<long> LastInLogAsync(int partition)
    {
        await using var db = fixture.OpenDatabase();
        return await db.Set<TopicMessage>().Where(m => m.Topic == Topics.News && m.Partition == partition).MaxAsync(m => (long?)m.Seq) ?? 0;
    }

    /// <summary>Writes a message into the log behind the partition grain's back (as another writer of the partition would).</summary>
    private async Task LogDirectlyAsync(int partition, long seq, int id, int vendorId)
    {
        await using var db = fixture.OpenDatabase();
        db.Add(new TopicMessage(Topics.News, partition, seq, id, Bodies.Messenger(id, vendorId).ToJsonString(), DateTimeOffset.UtcNow, $"direct-{id}"));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task AReaderResumesAfterItsLastEventWithoutGapOrDuplicate()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var ids = SamePartitionIds(5);
        List<SseEvent> firstVisit;
        await using (var live = await SseReader.OpenAsync(_web.Http, Feed))
        {
            foreach (var id in ids[..3])
            {
                await SendAsync(Bodies.Messenger(id, vendorId));
            }
            firstVisit = await EventsForAsync(live, ids[..3]);
        }
        Assert.All(firstVisit, e => Assert.Equal("15000", e.Retry));
        Assert.Equal(3, firstVisit.Select(e => e.Id).Distinct().Count());

        // Sent while nobody reads: the log keeps them for the next visit.
        await SendAsync(Bodies.Messenger(ids[3], vendorId));
        await SendAsync(Bodies.Messenger(ids[4], vendorId));
        await using var resumed = await SseReader.OpenAsync(_web.Http, Feed, firstVisit[1].Id);

        var secondVisit = await EventsForAsync(resumed, ids[2..]);
        Assert.Equal(firstVisit[2].Id, secondVisit[0].Id);
        Assert.Equal(firstVisit[2].Data, secondVisit[0].Data);
        Assert.All(secondVisit, e => Assert.Equal("messenger.added", e.Event));
    }

    [Fact]
    public async Task AReaderThatLeavesGivesUpItsSubscriptionAtOnce()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feed = _web.Services.GetRequiredService<MessengerFeed>();
        feed.ReaderClosed += () => closed.TrySetResult();
        var stream = _web.Services.GetRequiredService<IClusterClient>().GetStreamProvider(ProviderNames.Streams)
            .GetStream<ConsumedBatch>(StreamId.Create(ProviderNames.ConsumedMessages, Topics.News));

        var reader = await SseReader.OpenAsync(_web.Http, Feed);
        Assert.Single(await stream.GetAllSubscriptionHandles());
        await reader.DisposeAsync();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(await stream.GetAllSubscriptionHandles());
    }

    [Fact]
    public async Task AnEventHasAFixedNameWithStatusAndTimeInItsDataAndTheOriginalsNamesOnRequest()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var from = await EndOfLogAsync();
        var ids = SamePartitionIds(2);
        await SendAsync(Bodies.Messenger(ids[0], vendorId));
        await SendAsync(Bodies.Messenger(ids[1], int.MaxValue - 17));

        await using var standard = await SseReader.OpenAsync(_web.Http, Feed, from);
        var events = await EventsForAsync(standard, ids);
        await using var original = await SseReader.OpenAsync(_web.Http, Feed + "?names=original", from);
        var originals = await EventsForAsync(original, ids);

        Assert.Equal(["messenger.added", "messenger.failed"], events.Select(e => e.Event));
        var added = JsonNode.Parse(events[0].Data)!;
        var failed = JsonNode.Parse(events[1].Data)!;
        Assert.True((bool)added["status"]!);
        Assert.Null(added["reason"]);
        Assert.False((bool)failed["status"]!);
        Assert.Contains("vendor", (string)failed["reason"]!, StringComparison.Ordinal);
        var received = (string)added["received_at"]!;
        Assert.True(DateTimeOffset.TryParse(received, System.Globalization.CultureInfo.InvariantCulture, out _), received);
        Assert.Equal($"Added messenger status: true, Received: {received}", originals[0].Event);
        Assert.Equal($"Added messenger status: false, Received: {(string)failed["received_at"]!}", originals[1].Event);
        Assert.Equal(events.Select(e => e.Id), originals.Select(e => e.Id));
        Assert.Equal(JsonNode.Parse(originals[0].Data)!.ToJsonString(), added["messenger"]!.ToJsonString());
    }

    [Fact]
    public async Task AnUnknownNamingIsRefused()
    {
        using var response = await _web.Http.GetAsync(Feed + "?names=fancy");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Bodies.ProblemAsync(response))["errors"]!.AsObject().ContainsKey("names"));
    }

    [Fact]
    public async Task AMalformedLastEventIdIsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Feed);
        request.Headers.Add("Last-Event-ID", "3-12");

        using var response = await _web.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        // Named as a client spells the header, not re-cased like a JSON field.
        Assert.True((await Bodies.ProblemAsync(response))["errors"]!.AsObject().ContainsKey("Last-Event-ID"));
    }

    [Fact]
    public async Task AnIdFromBeyondTheLogsEndResumesAtItsEndAndMissesNothingNew()
    {
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var id = SamePartitionIds(1)[0];
        // A browser that saw a log that has since been reset reconnects with positions the log never reached.
        await using var reader = await SseReader.OpenAsync(_web.Http, Feed, "999999.999999.999999.999999");

        await SendAsync(Bodies.Messenger(id, vendorId));

        var events = await EventsForAsync(reader, id);
        Assert.Equal("messenger.added", Assert.Single(events).Event);
    }

    private async Task<List<JsonObject>> FailedAsync(string query) =>
        [.. (await fixture.Http.ListAsync($"/ch08/messenger/kafka/failed?{query}")).Select(f => f!.AsObject())];

    private static (int, long) Place(JsonObject failed) => ((int)failed["partition"]!, (long)failed["sequence"]!);

    private async Task SendAsync(JsonObject messenger)
    {
        using var response = await _web.Http.PostAsync("/ch08/messenger/kafka/send", messenger);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The feed position at the end of every partition's log now: events after it are for messages sent later.</summary>
    private async Task<string> EndOfLogAsync() =>
        string.Join('.', (await fixture.Grains.MessengerTopic().GetProgressAsync()).Select(p => p.LastSequence));

    /// <summary>Messenger ids of one partition, so their events come in the order they were sent.</summary>
    private static int[] SamePartitionIds(int count)
    {
        var first = Ids.Next();
        var ids = new List<int> { first };
        while (ids.Count < count)
        {
            if (Ids.Next() is var id && Topics.PartitionOf(id, 4) == Topics.PartitionOf(first, 4))
            {
                ids.Add(id);
            }
        }
        return [.. ids];
    }

    /// <summary>The events of exactly these messengers, in feed order, skipping other tests' messengers; fails on a duplicate.</summary>
    private static async Task<List<SseEvent>> EventsForAsync(SseReader feed, params int[] ids)
    {
        var wanted = ids.ToList();
        var events = new List<SseEvent>();
        while (events.Count < ids.Length)
        {
            var next = await feed.NextAsync();
            // Standard names carry the messenger under "messenger"; the original's names carry it as the data.
            var data = JsonNode.Parse(next.Data)!;
            var id = (int)(data["messenger"] ?? data)["id"]!;
            if (!ids.Contains(id))
            {
                continue;
            }
            Assert.True(wanted.Count > 0 && wanted[0] == id, $"Event for messenger {id} came out of order or twice; expected {string.Join(',', wanted)}.");
            wanted.RemoveAt(0);
            events.Add(next);
        }
        return events;
    }
}
