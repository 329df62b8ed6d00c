using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// The owner of one chunk of a table (the ids <see cref="TableSchema.IdsOf"/> its key): every write to those
/// rows goes through it, so the rows it serves from memory are always the committed ones. Key: the
/// chunk number (<see cref="TableSchema.ChunkOf"/>). Idle chunks deactivate and reload on their next call.
/// </summary>
public interface ITableChunkGrain<TRecord> : IGrainWithIntegerKey
    where TRecord : ITableRecord
{
    /// <summary>Whether a row with this id is committed.</summary>
    Task<bool> ContainsAsync(int id);

    /// <summary>The committed rows among <paramref name="ids"/> (all in this chunk), ordered by id.</summary>
    Task<TRecord[]> FindAsync(int[] ids);

    /// <summary>Rows of <paramref name="read"/> rendered as JSON array elements (the API's contract), bounded by its rows and bytes.</summary>
    Task<ChunkSlice<byte[]>> ReadJsonAsync(ChunkRead read);

    /// <summary>All of the chunk's rows rendered as <see cref="ReadJsonAsync"/> renders them, with where each one ends.</summary>
    Task<ChunkRendering> RenderJsonAsync();

    /// <summary>Rows of <paramref name="read"/> as records, bounded by its rows.</summary>
    Task<ChunkSlice<TRecord[]>> ReadRowsAsync(ChunkRead read);
}
