using Orleans.Concurrency;

namespace BareKestrel;

/// <summary>The floor's chunk owner: one grain per 1,024 vendor ids, as our table chunks.</summary>
public interface IVendorChunkGrain : IGrainWithIntegerKey
{
    /// <summary>Commits the vendors in the next group commit; for each, whether it was committed.</summary>
    Task<bool[]> AddManyAsync(Vendor[] vendors);

    /// <summary>Commits one vendor in the next group commit; whether it was committed.</summary>
    Task<bool> AddAsync(Vendor vendor);
}

/// <summary>
/// Hands a call's rows to the ceiling's writer (<see cref="GroupInserts"/>) in its turn, awaits their commit and
/// answers: the least a grain-per-insert design can do. Reentrant as our chunk grain, so concurrent calls join the
/// same group commit instead of one commit each.
/// </summary>
[Reentrant]
internal sealed class VendorChunkGrain(GroupInserts inserts) : Grain, IVendorChunkGrain
{
    public const int ChunkSize = 1024;

    public static long ChunkOf(long id) => id / ChunkSize;

    public async Task<bool[]> AddManyAsync(Vendor[] vendors) => await inserts.AddAsync(vendors);

    public async Task<bool> AddAsync(Vendor vendor) => (await inserts.AddAsync([vendor]))[0];
}
