using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Newsstand.Errors;
using Newsstand.Records;

namespace Newsstand.Data;

/// <summary>
/// What the grains need to know of each record table, read once from the EF model: its name, its key
/// column and its references (the foreign keys the model declares), each named as the API names it.
/// Tables of other kinds (a topic's log) are not record tables and are not listed.
/// </summary>
internal sealed class TableCatalog
{
    private readonly FrozenDictionary<Type, StoredTable> _tables;

    public TableCatalog(IModel model) =>
        _tables = model.GetEntityTypes().Where(e => typeof(ITableRecord).IsAssignableFrom(e.ClrType)).Select(Describe).ToFrozenDictionary(t => t.RowType);

    public StoredTable this[Type rowType] => _tables[rowType];

    /// <summary>The stored table behind a record type of the API (a login is stored with its hash).</summary>
    public StoredTable OfRecord(Type record) => this[record == typeof(LoginView) ? typeof(LoginEntity) : record];

    /// <summary>The references of <paramref name="row"/> whose target rows do not exist (a failed write's explanation).</summary>
    public async Task<List<MissingReference>> FindMissingReferencesAsync(DbContext context, object row)
    {
        var missing = new List<MissingReference>();
        foreach (var reference in this[row.GetType()].References)
        {
            var id = (int)reference.Property.GetValue(row)!;
            if (await context.FindAsync(reference.TargetType, id) is null)
            {
                missing.Add(new MissingReference(reference.Field, reference.TargetTable, id));
            }
        }
        return missing;
    }

    private static StoredTable Describe(IEntityType entity) => new(
        entity.ClrType,
        entity.GetTableName()!,
        entity.FindPrimaryKey()!.Properties.Single().GetColumnName(),
        [.. entity.GetForeignKeys().Select(fk => new TableReference(
            JsonNamingPolicy.SnakeCaseLower.ConvertName(fk.Properties.Single().Name),
            fk.Properties.Single().PropertyInfo!,
            fk.PrincipalEntityType.ClrType,
            fk.PrincipalEntityType.GetTableName()!))]);
}

/// <summary>A stored table: its row type, name, key column and references.</summary>
internal sealed record StoredTable(Type RowType, string Name, string KeyColumn, IReadOnlyList<TableReference> References);

/// <summary>A foreign key: the API field, the row property holding it, and the table it points to.</summary>
internal sealed record TableReference(string Field, PropertyInfo Property, Type TargetType, string TargetTable);
