using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Newsstand.Grains;
using Newsstand.Messaging;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;
using Orleans.Streams;

namespace Newsstand.Tests.Messaging;

/// <summary>A consumer meets a database fault: it retries the same message until the fault passes, and never skips it.</summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class ConsumerRetryTests(PostgresFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private IStorageFixture Storage => fixture;

    [Fact]
    public async Task AConsumerRetriesThroughADatabaseFaultAndThenAppliesTheMessage()
    {
        var (loginId, vendorId, messengerId) = (Ids.Next(), Ids.Next(), Ids.Next());
        await fixture.Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        await fixture.Grains.RecordOwner<VendorRecord>(vendorId).AddAsync(
            new VendorRecord(vendorId, "Rep", "Doe", "R", new DateOnly(2022, 1, 1), "Acct", "1", new DateOnly(2022, 2, 1), loginId));
        var consumed = new TaskCompletionSource<ConsumedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = await fixture.Cluster.Client.GetStreamProvider(ProviderNames.Streams)
            .GetStream<ConsumedBatch>(StreamId.Create(ProviderNames.ConsumedMessages, Topics.News))
            .SubscribeAsync((batch, _) =>
            {
                foreach (var message in batch.Messages.Where(m => m.Json.Contains($"\"id\":{messengerId},", StringComparison.Ordinal)))
                {
                    consumed.TrySetResult(message);
                }
                return Task.CompletedTask;
            });
        // A reader says it listens, or the consumers publish nothing to the live feed.
        await fixture.Grains.MessengerTopic().ListenAsync(TimeSpan.FromMinutes(5));
        var retried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var retries = ListenForRetries(retried);
        await ExecuteAsync("""
            CREATE TABLE test_fault (on_ boolean);
            CREATE FUNCTION test_fault() RETURNS trigger AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM test_fault) THEN RAISE EXCEPTION 'database fault injected by a test'; END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_fault BEFORE UPDATE ON topic_checkpoint FOR EACH ROW EXECUTE FUNCTION test_fault();
            INSERT INTO test_fault VALUES (true);
            """);
        try
        {
            await fixture.Grains.MessengerTopic().SendAsync(
                new MessengerRecord(messengerId, "Max", "Retry", 1000, new DateOnly(2021, 9, 1), 1, vendorId));

            await retried.Task.WaitAsync(Patience);
            Assert.False(consumed.Task.IsCompleted);
            Assert.Empty(await fixture.Grains.RecordOwner<MessengerRecord>(messengerId).FindAsync([messengerId]));
            await ExecuteAsync("DELETE FROM test_fault;");

            var message = await WithConsumerLogAsync(consumed.Task);
            Assert.True(message.Applied);
            Assert.Equal([messengerId], (await fixture.Grains.RecordOwner<MessengerRecord>(messengerId).FindAsync([messengerId])).Select(m => m.Id));
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER IF EXISTS test_fault ON topic_checkpoint; DROP FUNCTION IF EXISTS test_fault(); DROP TABLE IF EXISTS test_fault;");
            await subscription.UnsubscribeAsync();
        }
    }

    /// <summary>The task's result, or on timeout the consumers' recent log lines as the failure.</summary>
    private static async Task<T> WithConsumerLogAsync<T>(Task<T> task)
    {
        try
        {
            return await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(string.Join('\n', LogCapture.Shared.Lines
                .Where(l => l.Contains("newstopic", StringComparison.Ordinal) || l.Contains("topic consumer", StringComparison.Ordinal)).TakeLast(30)));
        }
    }

    private static MeterListener ListenForRetries(TaskCompletionSource retried)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == TopicMetrics.MeterName && instrument.Name == "newsstand.topic.retries")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => retried.TrySetResult());
        listener.Start();
        return listener;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var db = Storage.OpenDatabase();
        await db.Database.ExecuteSqlRawAsync(sql);
    }
}
