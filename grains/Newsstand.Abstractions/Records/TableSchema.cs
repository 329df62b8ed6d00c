using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations.Schema;
using System.Reflection;

namespace Newsstand.Records;

/// <summary>
/// The one description of the record tables the API and the grains share: which record type is which
/// table (its <see cref="TableAttribute"/>), and how ids are split into chunks, each owned by one grain.
/// References between tables are the foreign keys of the silo's data model.
/// </summary>
public static class TableSchema
{
    /// <summary>Ids per chunk: a chunk owner holds at most this many rows in memory.</summary>
    public const int ChunkSize = 1024;

    /// <summary>The nine tables whose stored rows are the wire records themselves (login stores a hash instead of the password).</summary>
    public static IReadOnlyList<Type> Records { get; } =
    [
        typeof(AdminRecord), typeof(VendorRecord), typeof(CustomerRecord), typeof(BillingRecord), typeof(MessengerRecord),
        typeof(PublicationRecord), typeof(ContentRecord), typeof(SalesRecord), typeof(SubscriptionRecord),
    ];

    private static readonly FrozenDictionary<Type, string> Names =
        Records.Append(typeof(LoginView)).ToFrozenDictionary(type => type, type => type.GetCustomAttribute<TableAttribute>()!.Name);

    /// <summary>The table of <paramref name="record"/> as the original schema and routes name it.</summary>
    public static string NameOf(Type record) =>
        Names.TryGetValue(record, out var name) ? name : throw new ArgumentException($"{record.Name} is not a table record.", nameof(record));

    public static string NameOf<TRecord>() where TRecord : ITableRecord => NameOf(typeof(TRecord));

    /// <summary>The chunk that owns <paramref name="id"/>.</summary>
    public static long ChunkOf(int id) => id / ChunkSize;

    /// <summary>The first and last id a chunk owns.</summary>
    public static (int First, int Last) IdsOf(long chunk) =>
        ((int)(chunk * ChunkSize), (int)Math.Min(((chunk + 1) * ChunkSize) - 1, int.MaxValue));
}
