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

    /// <summary>Which constraint <paramref name="error"/> (or an exception it wraps) reports, if any.</summary>
    public static Violation ViolationOf(Exception error) => Causes(error).Any(cause => cause is DbUpdateConcurrencyException)
        ? Violation.StaleRow
        : Causes(error).OfType<DbException>().FirstOrDefault() switch
    {
        SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteForeignKey } => Violation.ForeignKey,
        SqliteException { SqliteErrorCode: SqliteConstraint } e => e.Message.Contains(".username", StringComparison.Ordinal) ? Violation.UniqueUsername : Violation.UniqueKey,
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } => Violation.ForeignKey,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } e =>
            e.ConstraintName?.Contains("username", StringComparison.OrdinalIgnoreCase) == true ? Violation.UniqueUsername : Violation.UniqueKey,
        _ => Violation.None,
    };

    /// <summary>
    /// Whether <paramref name="error"/> comes from the database or its connection, rather than from our own code.
    /// The whole chain counts: EF Core's PostgreSQL execution strategy wraps a broken connection as
    /// InvalidOperationException → DbUpdateException → NpgsqlException (a server stopped mid-commit).
    /// </summary>
    public static bool IsStorageFailure(Exception error) =>
        Causes(error).Any(cause => cause is DbException or DbUpdateException or IOException or TimeoutException);

    /// <summary>
    /// Whether <paramref name="error"/> is the database or its connection failing, with no constraint broken: such a
    /// batch is never redone row by row (it would only fail again, or, after a lost COMMIT, store its rows twice).
    /// </summary>
    public static bool IsOutage(Exception error) => IsStorageFailure(error) && ViolationOf(error) == Violation.None;

    /// <summary>
    /// Whether the PostgreSQL server answered with an error of the statement or transaction (severity ERROR, not a FATAL
    /// end of the session): it rolled the transaction back, so nothing of it committed, even when the error answered the
    /// commit itself. Any other failure after a commit was sent leaves its outcome unknown.
    /// </summary>
    public static bool IsRefusal(Exception error) =>
        Causes(error).OfType<PostgresException>().Any(e => e.InvariantSeverity == "ERROR");

    /// <summary>The database error behind <paramref name="error"/>, for log lines: the innermost database or I/O exception.</summary>
    public static Exception RootCause(Exception error) =>
        Causes(error).LastOrDefault(cause => cause is DbException or IOException or TimeoutException) ?? error;

    private static IEnumerable<Exception> Causes(Exception error)
    {
        for (var cause = error; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }
}
