using Newsstand.Grains;

namespace Newsstand.Tables;

/// <summary>A foreign key of a row: the API field, the table it points to and the grain that owns that table.</summary>
internal sealed record Reference(string Field, string Table, int Id, Func<IGrainFactory, IRowLookupGrain> Owner)
{
    public static Reference To<TOwner>(string field, string table, int id) where TOwner : IRowLookupGrain =>
        new(field, table, id, grains => grains.GetGrain<TOwner>(TableGrainKey.Value));
}
