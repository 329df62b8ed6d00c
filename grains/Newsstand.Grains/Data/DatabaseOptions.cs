using System.ComponentModel.DataAnnotations;

namespace Newsstand.Data;

/// <summary>Where the records live. With no PostgreSQL connection string the silo uses a SQLite file.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>PostgreSQL connection string (env <c>Database__Postgres</c>); when set, PostgreSQL is used.</summary>
    public string? Postgres { get; set; }

    /// <summary>Folder of the SQLite file and of files the workloads write (env <c>Database__DataDirectory</c>).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Writes that may wait for the next group commit; beyond this a write answers 503 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int WriteQueueLength { get; set; } = 8192;

    /// <summary>Most rows one group commit (one transaction, one sync to disk) takes.</summary>
    [Range(1, 10_000)]
    public int WriteBatchSize { get; set; } = 512;

    public string SqliteFile => Path.GetFullPath(Path.Combine(DataDirectory, "newsstand.db"));

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(Postgres);
}
