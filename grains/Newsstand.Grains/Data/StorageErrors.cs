using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Newsstand.Data;

/// <summary>
/// Sorts database failures: a constraint a row broke (that row's answer: 409 or 422) against the
/// database being unable to work at all (every waiting write's answer: 503).
/// </summary>
internal static class StorageErrors
{
    /// <summary>Seconds a client should wait after the database failed.</summary>
    public const int RetryAfterSeconds = 5;

    private const int SqliteConstraint = 19;
    private const int SqliteForeignKey = 787;

    public enum Violation
    {
        None,
        UniqueKey,
        UniqueUsername,
        ForeignKey,

        /// <summary>A conditional replacement found the stored row changed (or gone): optimistic concurrency.</summary>
        StaleRow,
    }

    /// <summary>Which constraint <paramref name="error"/> (or its inner exception) reports, if any.</summary>
    public static Violation ViolationOf(Exception error) => error is DbUpdateConcurrencyException ? Violation.StaleRow : (error is DbUpdateException { InnerException: { } inner } ? inner : error) switch
    {
        SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteForeignKey } => Violation.ForeignKey,
        SqliteException { SqliteErrorCode: SqliteConstraint } e => e.Message.Contains(".username", StringComparison.Ordinal) ? Violation.UniqueUsername : Violation.UniqueKey,
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } => Violation.ForeignKey,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } e =>
            e.ConstraintName?.Contains("username", StringComparison.OrdinalIgnoreCase) == true ? Violation.UniqueUsername : Violation.UniqueKey,
        _ => Violation.None,
    };

    /// <summary>Whether <paramref name="error"/> comes from the database or its connection, rather than from our own code.</summary>
    public static bool IsStorageFailure(Exception error) =>
        error is DbException or DbUpdateException or IOException or TimeoutException
        || error.InnerException is DbException or IOException;
}
