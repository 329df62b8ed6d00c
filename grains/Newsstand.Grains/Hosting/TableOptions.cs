using System.ComponentModel.DataAnnotations;

namespace Newsstand.Hosting;

/// <summary>How table chunks use memory (section <c>Tables</c>).</summary>
public sealed class TableOptions
{
    public const string SectionName = "Tables";

    /// <summary>
    /// How long a chunk owner (and a username owner) stays in memory after its last call; the working set
    /// stays warm, the rest of a large table sleeps in the database. Orleans collects idle grains once a
    /// minute, so the age must be above one minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:01", "1.00:00:00")]
    public TimeSpan ChunkIdleAge { get; set; } = TimeSpan.FromMinutes(2);
}
