using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Hosting;

/// <summary>
/// How many answers of one whole-table workload route (<c>login/list/records</c>, <c>subscription/dated</c>,
/// <c>admin/login/list/enc</c>) this web client streams at once (section <c>WorkloadAnswers</c>); a request beyond
/// that answers 503 with <c>Retry-After</c>. Each answer keeps a scan batch in the silo for as long as it streams.
/// </summary>
public sealed class WorkloadAnswerOptions
{
    public const string SectionName = "WorkloadAnswers";

    /// <summary>Answers of one route streaming at once, per web client.</summary>
    [Range(1, 1024)]
    public int ConcurrentPerRoute { get; set; } = 4;

    /// <summary>What a refused request is told to wait before it tries again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
