using System.Globalization;
using SQLitePCL;

namespace Newsstand.Data;

/// <summary>
/// A column's provider value (after its type mapping's converter) bound by position on a SQLite statement, stored as
/// Microsoft.Data.Sqlite stores a parameter of that type: integers and booleans as INTEGER, floating point as REAL,
/// text, blobs, dates and moments as ISO 8601 TEXT. Covers the provider types of the data model (a test binds every
/// column of the model both ways and compares what SQLite stores); any other type is refused.
/// </summary>
internal static class SqliteValues
{
    /// <summary>Binds <paramref name="value"/> as the <paramref name="index"/>th (from 1) parameter; SQLite's result code.</summary>
    public static int Bind(sqlite3_stmt statement, int index, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(statement, index),
        string text => raw.sqlite3_bind_text(statement, index, text),
        long number => raw.sqlite3_bind_int64(statement, index, number),
        int number => raw.sqlite3_bind_int64(statement, index, number),
        bool flag => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0),
        double real => raw.sqlite3_bind_double(statement, index, real),
        byte[] { Length: 0 } => raw.sqlite3_bind_zeroblob(statement, index, 0),
        byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
        DateOnly date => raw.sqlite3_bind_text(statement, index, date.ToString(@"yyyy\-MM\-dd", CultureInfo.InvariantCulture)),
        DateTimeOffset moment => raw.sqlite3_bind_text(statement, index,
            moment.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
        short number => raw.sqlite3_bind_int64(statement, index, number),
        byte number => raw.sqlite3_bind_int64(statement, index, number),
        float real => raw.sqlite3_bind_double(statement, index, real),
        _ => throw new NotSupportedException($"The group commit has no SQLite binding for {value.GetType().Name} values."),
    };
}
