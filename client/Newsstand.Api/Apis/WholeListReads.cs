using System.Collections.Concurrent;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// The first slice of a whole table (a list without limit or offset: what polling clients ask) read through one
/// <see cref="CallCoalescer{TItem, TResult}"/> per table: reads made while one is under way go together in the next grain
/// call, so under load one hop answers many requests. No read gets an answer older than itself: it waits for a call that
/// starts after it arrived. Any other read (a page, the slices after the first) goes to the table's index directly.
/// </summary>
internal sealed class WholeListReads(IGrainFactory grains)
{
    // Every item of a call is the same read (ListRead.All); the bound only caps the answer array.
    private const int MaxBatch = 4096;

    private readonly ConcurrentDictionary<Type, object> _tables = new();

    public Task<ListSlice> ReadJsonAsync<TRecord>(ListRead read) where TRecord : ITableRecord
    {
        if (read != ListRead.All)
        {
            return grains.TableIndex<TRecord>().ReadJsonAsync(read);
        }
        var reads = (CallCoalescer<ListRead, ListSlice>)_tables.GetOrAdd(typeof(TRecord),
            _ => new CallCoalescer<ListRead, ListSlice>(ReadOnceAsync<TRecord>, MaxBatch));
        return reads.CallAsync(read);
    }

    private async Task<ListSlice[]> ReadOnceAsync<TRecord>(ListRead[] reads) where TRecord : ITableRecord
    {
        var slice = await grains.TableIndex<TRecord>().ReadJsonAsync(ListRead.All);
        return [.. Enumerable.Repeat(slice, reads.Length)];
    }
}
