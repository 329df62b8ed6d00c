using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Messaging;

/// <summary>
/// Consumes one batch of a partition's log in one transaction: the messenger tables' owners reserve the ids
/// first (so memory and database agree, and a concurrent write of an id waits its turn), then one write unit
/// inserts every new messenger, records every rejected message as failed, and advances the checkpoint once,
/// conditional on the position this consumer read. A messenger that breaks a constraint inside the unit (a
/// missing vendor) is replaced by its failure record (a savepoint of its own), so it fails alone. After the
/// commit the owners show the rows; after an unknown outcome they read them again from the database.
/// <para>
/// Final facts make a failure: an unreadable message, an id stored with other data, a missing reference. A
/// messenger stored already with the same data is an effect taken already (a replayed send, or a batch whose
/// commit landed just before a crash), counted as applied and not written again. An id that another write holds
/// ends the batch before it; the rest waits for the next round.
/// </para>
/// </summary>
internal sealed partial class MessengerBatch(IGrainFactory grains, NewsstandDb db, TimeProvider time, string topic, int partition, ILogger logger)
{
    /// <summary>Most owner references kept (one per chunk of messenger ids seen); beyond that the cache starts over.</summary>
    private const int MaxOwners = 1024;

    // References made once per chunk: making one resolves the generic interface's type, which cost more than the call.
    private readonly Dictionary<int, IRecordChunkGrain<MessengerRecord>> _owners = [];

    /// <summary>Applies <paramref name="messages"/> (consecutive, the first right after <paramref name="checkpoint"/>) or a
    /// prefix of them; answers what was consumed, in log order (empty when the first message's id is held elsewhere).</summary>
    public async Task<ConsumedMessage[]> ApplyAsync(TopicMessage[] messages, long checkpoint)
    {
        var records = messages.Select(Read).ToArray();
        var holder = Guid.NewGuid();
        var answers = await ReserveAsync(records, holder);
        var count = Array.IndexOf(answers, Reservation.Busy) is var busy and >= 0 ? busy : messages.Length;
        var reasons = new string?[count];
        var rows = new List<WriteRow>(count + 1);
        for (var i = 0; i < count; i++)
        {
            var at = i;
            reasons[i] = records[i].Unreadable ?? (answers[i] == Reservation.StoredOther ? $"messenger {records[i].Record!.Id} already exists with other data." : null);
            if (reasons[i] is { } reason)
            {
                rows.Add(new WriteRow(Failure(messages[i], reason), EntityState.Added));
            }
            else if (answers[i] == Reservation.Reserved)
            {
                rows.Add(new WriteRow(records[i].Record!, EntityState.Added, Fallback: error =>
                {
                    reasons[at] = error.Message;
                    return Failure(messages[at], error.Message);
                }));
            }
        }
        if (count == 0)
        {
            await SettleAsync(records, answers, holder, reasons, outcomeKnown: true);
            return [];
        }
        // The checkpoint first: a batch another consumer took already fails on it (stale), before any of its rows is tried.
        rows.Insert(0, new WriteRow(new TopicCheckpoint(topic, partition, messages[count - 1].Seq), EntityState.Modified, new TopicCheckpoint(topic, partition, checkpoint)));
        try
        {
            await db.WriteUnitAsync([.. rows]);
        }
        catch (Exception error)
        {
            await SettleAsync(records, answers, holder, null, outcomeKnown: error is not CommitOutcomeUnknownException);
            throw;
        }
        await SettleAsync(records, answers, holder, reasons, outcomeKnown: true);
        return [.. messages.Take(count).Select((m, i) => new ConsumedMessage(partition, m.Seq, m.Payload, reasons[i] is null, reasons[i], m.ReceivedAt))];
    }

    private static (MessengerRecord? Record, string? Unreadable) Read(TopicMessage message)
    {
        try
        {
            return (JsonSerializer.Deserialize<MessengerRecord>(message.Payload, NewsstandJson.Options) ?? throw new JsonException("The message is null."), null);
        }
        catch (JsonException unreadable)
        {
            return (null, $"The message is not a messenger record: {unreadable.Message}");
        }
    }

    /// <summary>Reserves every readable messenger's id at its owner; if any owner cannot be reached, gives back what the others reserved.</summary>
    private async Task<Reservation[]> ReserveAsync((MessengerRecord? Record, string? Unreadable)[] records, Guid holder)
    {
        var answers = new Reservation[records.Length];
        var owners = OwnersOf(records);
        var calls = owners.Select(async owner =>
        {
            var reserved = await Owner(owner.Key).ReserveAsync([.. owner.Select(i => records[i].Record!)], holder);
            var k = 0;
            foreach (var i in owner)
            {
                answers[i] = reserved[k++];
            }
        }).ToArray();
        try
        {
            await Task.WhenAll(calls);
        }
        catch
        {
            await SettleAsync(records, answers, holder, null, outcomeKnown: true);
            throw;
        }
        return answers;
    }

    /// <summary>Tells each owner which of its reserved ids were stored (those reserved, within the batch, not failed).</summary>
    private async Task SettleAsync((MessengerRecord? Record, string? Unreadable)[] records, Reservation[] answers, Guid holder, string?[]? reasons, bool outcomeKnown)
    {
        var settles = OwnersOf(records).Select(async owner =>
        {
            int[] stored = [.. owner.Where(i => reasons is not null && i < reasons.Length && reasons[i] is null && answers[i] == Reservation.Reserved).Select(i => records[i].Record!.Id)];
            try
            {
                await Owner(owner.Key).SettleAsync(holder, stored, outcomeKnown);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The owner's lease runs out and it reads the ids from the database then.
                LogSettleFailed(partition, error.GetType().Name);
            }
        });
        await Task.WhenAll(settles);
    }

    private IRecordChunkGrain<MessengerRecord> Owner(int id)
    {
        if (!_owners.TryGetValue(id, out var owner))
        {
            if (_owners.Count >= MaxOwners)
            {
                _owners.Clear();
            }
            _owners[id] = owner = grains.RecordOwner<MessengerRecord>(id);
        }
        return owner;
    }

    /// <summary>Indexes of the readable messengers, grouped by the id of a row their owner owns.</summary>
    private static IEnumerable<IGrouping<int, int>> OwnersOf((MessengerRecord? Record, string? Unreadable)[] records) =>
        Enumerable.Range(0, records.Length).Where(i => records[i].Record is not null)
            .GroupBy(i => records[i].Record!.Id / TableSchema.ChunkSize * TableSchema.ChunkSize, i => i);

    private TopicFailure Failure(TopicMessage message, string reason) =>
        new(topic, partition, message.Seq, reason.Length > TopicTables.ReasonLength ? reason[..TopicTables.ReasonLength] : reason, time.GetUtcNow());

    [LoggerMessage(Level = LogLevel.Warning, Message = "The consumer of newstopic partition {Partition} could not settle a reservation ({Error}); the owner's lease will.")]
    private partial void LogSettleFailed(int partition, string error);
}
