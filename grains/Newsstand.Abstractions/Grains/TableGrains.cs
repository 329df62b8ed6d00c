using System.Runtime.CompilerServices;
using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>How callers find the grain that owns a row, a table's index, and a username.</summary>
public static class TableGrains
{
    public static ITableIndexGrain<TRecord> TableIndex<TRecord>(this IGrainFactory grains) where TRecord : ITableRecord =>
        grains.GetGrain<ITableIndexGrain<TRecord>>(0);

    /// <summary>The index of the table of <paramref name="record"/> (a type of <see cref="TableSchema.Records"/>, or <see cref="LoginView"/>).</summary>
    public static ITableIndex TableIndex(this IGrainFactory grains, Type record) =>
        (ITableIndex)grains.GetGrain(typeof(ITableIndexGrain<>).MakeGenericType(record), 0);

    /// <summary>The reader of the chunk <paramref name="chunk"/> of any table, login included.</summary>
    public static ITableChunkGrain<TRecord> TableChunk<TRecord>(this IGrainFactory grains, long chunk) where TRecord : ITableRecord =>
        grains.GetGrain<ITableChunkGrain<TRecord>>(chunk);

    public static IRecordChunkGrain<TRecord> RecordOwner<TRecord>(this IGrainFactory grains, int id) where TRecord : ITableRecord =>
        grains.GetGrain<IRecordChunkGrain<TRecord>>(TableSchema.ChunkOf(id));

    public static ILoginChunkGrain LoginOwner(this IGrainFactory grains, int id) =>
        grains.GetGrain<ILoginChunkGrain>(TableSchema.ChunkOf(id));

    public static IUsernameGrain Username(this IGrainFactory grains, string username) =>
        grains.GetGrain<IUsernameGrain>(Usernames.Canonical(username));

    /// <summary>Every row of the table in id order, fetched in batches of <paramref name="batchSize"/>: constant memory at any table size.</summary>
    public static async IAsyncEnumerable<TRecord> ScanAsync<TRecord>(this IGrainFactory grains, int batchSize = 256,
        [EnumeratorCancellation] CancellationToken cancellationToken = default) where TRecord : ITableRecord
    {
        var index = grains.TableIndex<TRecord>();
        var read = ListRead.All;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await index.ReadRowsAsync(read, batchSize);
            foreach (var row in batch.Rows)
            {
                yield return row;
            }
            if (batch.Done || batch.Rows.Length == 0)
            {
                yield break;
            }
            read = read.After(batch.Rows[^1].Id, batch.Rows.Length);
        }
    }

    /// <summary>
    /// Every row of the table in id order, in batches of exactly <paramref name="batchSize"/> rows (the last one
    /// shorter, never empty), for workloads that handle a batch at once (one query, one concurrent round, one publish).
    /// </summary>
    public static async IAsyncEnumerable<TRecord[]> ScanBatchesAsync<TRecord>(this IGrainFactory grains, int batchSize = 256,
        [EnumeratorCancellation] CancellationToken cancellationToken = default) where TRecord : ITableRecord
    {
        // The index's batches may be shorter (a slice ends at its byte limit): rows are regrouped to full batches.
        var batch = new List<TRecord>(batchSize);
        await foreach (var row in grains.ScanAsync<TRecord>(batchSize, cancellationToken))
        {
            batch.Add(row);
            if (batch.Count == batchSize)
            {
                yield return batch.ToArray();
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            yield return batch.ToArray();
        }
    }

    /// <summary>
    /// Every row of the table handled a batch at a time (<see cref="ScanBatchesAsync{TRecord}(IGrainFactory, int, CancellationToken)"/>): <paramref name="handle"/>
    /// turns a batch into its results, which are yielded as the caller pulls before the next batch is read.
    /// </summary>
    public static async IAsyncEnumerable<TResult> ScanBatchesAsync<TRecord, TResult>(this IGrainFactory grains, int batchSize,
        Func<TRecord[], Task<IEnumerable<TResult>>> handle) where TRecord : ITableRecord
    {
        await foreach (var batch in grains.ScanBatchesAsync<TRecord>(batchSize))
        {
            foreach (var result in await handle(batch))
            {
                yield return result;
            }
        }
    }
}
