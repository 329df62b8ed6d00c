using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Newsstand.Data;

/// <summary>
/// One column of an EF model's table as the group commit's own statements use it (<see cref="RowInserter"/>,
/// <see cref="RowUpdater"/>): its name, and a row's value bound through the column's own type mapping, so a value is
/// stored exactly as SaveChanges would store it.
/// </summary>
internal sealed record ModelColumn(string Name, IClrPropertyGetter Getter, RelationalTypeMapping Mapping, bool Nullable)
{
    public static ModelColumn Of(IProperty property) =>
        new(property.GetColumnName(), property.GetGetter(), property.GetRelationalTypeMapping(), property.IsNullable);

    /// <summary><paramref name="row"/>'s value of this column as the database stores it (after the mapping's converter, if any).</summary>
    public object? ProviderValue(object row) => ToProvider(Getter.GetClrValue(row));

    /// <summary><paramref name="value"/> (of the column's CLR type) as the database stores it.</summary>
    public object? ToProvider(object? value) => Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;

    /// <summary>Adds <paramref name="row"/>'s value of this column to <paramref name="command"/> as the parameter <paramref name="name"/> ("" when positional).</summary>
    public void Bind(DbCommand command, string name, object row) =>
        command.Parameters.Add(Parameter(command, name, row));

    /// <summary>
    /// <paramref name="row"/>'s value of this column as a parameter named <paramref name="name"/> ("" when positional), made by
    /// <paramref name="factory"/> (a command of the connection's provider; the parameter may go to a batch command).
    /// </summary>
    public DbParameter Parameter(DbCommand factory, string name, object row) =>
        Mapping.CreateParameter(factory, name, Getter.GetClrValue(row), Nullable);
}
