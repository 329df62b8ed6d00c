using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Newsstand.Errors;
using Npgsql;

namespace Newsstand.Tables;

/// <summary>
/// Turns a constraint the database refused into the domain error the API reports. Grains check
/// duplicates and references before writing; this is the backstop for what only the database sees.
/// </summary>
internal static class DbWriteErrors
{
    private const int SqliteConstraint = 19;
    private const int SqliteForeignKey = 787;

    public static async Task<int> SaveAsync(DbContext context, string table)
    {
        try
        {
            return await context.SaveChangesAsync();
        }
        catch (DbUpdateException ex) when (Translate(ex.InnerException, table) is { } domain)
        {
            throw domain;
        }
    }

    public static NewsstandException? Translate(Exception? error, string table) => error switch
    {
        SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteForeignKey } =>
            new RecordConflictException("reference", $"A {table} reference names a row that does not exist."),
        SqliteException { SqliteErrorCode: SqliteConstraint } =>
            new RecordConflictException("id", $"The {table} row collides with a stored row (duplicate key)."),
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } pg =>
            new RecordConflictException("reference", $"A {table} reference names a row that does not exist ({pg.ConstraintName})."),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg =>
            new RecordConflictException("id", $"The {table} row collides with a stored row ({pg.ConstraintName})."),
        _ => null,
    };
}
