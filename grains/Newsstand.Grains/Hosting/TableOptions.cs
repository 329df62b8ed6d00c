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

    /// <summary>After this many rows of chunks that went idle have been released, the silo collects garbage so the
    /// memory really goes back to the system (an idle process would otherwise never collect).</summary>
    [Range(1, int.MaxValue)]
    public int ReclaimAfterRows { get; set; } = 64 * 1024;
}
