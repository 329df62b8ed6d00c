using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using SQLitePCL;

namespace Newsstand.Tests.Storage;

/// <summary>
/// The group commit binds SQLite values by position itself (<see cref="SqliteValues"/>), not through Microsoft.Data.Sqlite's
/// parameters: every column of the data model must come out in SQLite exactly as the column's EF type mapping and
/// Microsoft.Data.Sqlite would have stored it, or rows inserted by the group commit would read back differently from
/// rows SaveChanges wrote (and compare differently in SQL).
/// </summary>
public sealed class SqliteValuesTests
{
    [Fact]
    public void EveryColumnOfTheModelIsStoredAsItsTypeMappingWouldStoreIt()
    {
        using var context = new SqliteNewsstandDbContext(new DbContextOptionsBuilder<SqliteNewsstandDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var compared = 0;
        foreach (var property in context.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            var column = ModelColumn.Of(property);
            foreach (var sample in Samples(property.ClrType))
            {
                var where = $"{property.DeclaringType.DisplayName()}.{property.Name} = {sample ?? "null"}";
                var expected = AsTheMappingStoresIt(connection, column, sample);
                var actual = AsTheGroupCommitStoresIt(connection, column, sample);
                Assert.True(expected == actual, $"{where}: the mapping stores {expected}, the group commit {actual}");
                compared++;
            }
        }
        Assert.True(compared > 100, $"only {compared} values compared");
    }

    [Fact]
    public void AValueOfATypeWithoutABindingIsRefusedNotStoredAsSomethingElse()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_prepare_v2(connection.Handle, "SELECT quote(?1)", out var statement));
        using (statement)
        {
            Assert.Throws<NotSupportedException>(() => SqliteValues.Bind(statement, 1, Guid.NewGuid()));
        }
    }

    private static string AsTheMappingStoresIt(SqliteConnection connection, ModelColumn column, object? value)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT quote(@p0)";
        command.Parameters.Add(column.Mapping.CreateParameter(command, "@p0", value, column.Nullable));
        return (string)command.ExecuteScalar()!;
    }

    private static string AsTheGroupCommitStoresIt(SqliteConnection connection, ModelColumn column, object? value)
    {
        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_prepare_v2(connection.Handle, "SELECT quote(?1)", out var statement));
        using (statement)
        {
            Assert.Equal(raw.SQLITE_OK, SqliteValues.Bind(statement, 1, column.ToProvider(value)));
            Assert.Equal(raw.SQLITE_ROW, raw.sqlite3_step(statement));
            return raw.sqlite3_column_text(statement, 0).utf8_to_string();
        }
    }

    /// <summary>Values of each CLR type the model uses, edges included; a type the model gains must get samples here.</summary>
    private static IEnumerable<object?> Samples(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return [null, .. Samples(inner)];
        }
        if (type.IsEnum)
        {
            return [.. Enum.GetValues(type).Cast<object>()];
        }
        return type switch
        {
            _ when type == typeof(int) => [0, -7, int.MaxValue, int.MinValue],
            _ when type == typeof(long) => [0L, long.MaxValue, long.MinValue],
            _ when type == typeof(bool) => [true, false],
            _ when type == typeof(double) => [0.0, -2.5, 0.1, 1e300, double.Epsilon],
            _ when type == typeof(string) => ["", "plain", "ünï 'quoted' \"double\" \u2603", null],
            _ when type == typeof(byte[]) => [Array.Empty<byte>(), new byte[] { 0, 1, 255 }, null],
            _ when type == typeof(DateOnly) => [new DateOnly(2026, 12, 3), DateOnly.MinValue, DateOnly.MaxValue],
            _ when type == typeof(DateTimeOffset) =>
            [
                new DateTimeOffset(2026, 12, 3, 15, 4, 5, TimeSpan.FromHours(2)).AddTicks(1_234_567),
                new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(1999, 1, 31, 23, 59, 59, TimeSpan.FromMinutes(-330)).AddTicks(10),
            ],
            _ => throw new InvalidOperationException($"No samples for {type.Name}: add some, so its SQLite binding is compared."),
        };
    }
}
