using System.ComponentModel.DataAnnotations;

namespace Newsstand.Hosting;

/// <summary>
/// Which cluster a silo or web client belongs to and where its members find each other (section <c>Orleans</c>):
/// the part of the cluster settings that silos and clients must agree on. Each host adds its own keys.
/// </summary>
public abstract class ClusterIdentityOptions : IValidatableObject
{
    public const string SectionName = "Orleans";

    [Required]
    public string ClusterId { get; set; } = "nsms";

    [Required]
    public string ServiceId { get; set; } = "nsms";

    /// <summary>
    /// A StackExchange.Redis connection string (e.g. <c>127.0.0.1:6379,password=...</c>, from the environment).
    /// Set: silos and clients find each other through Redis; unset: localhost clustering (one machine). Not
    /// <c>Orleans:Clustering</c>: Orleans reads that section itself and expects a provider type there.
    /// </summary>
    public string? RedisClustering { get; set; }

    public bool UsesRedis => !string.IsNullOrWhiteSpace(RedisClustering);

    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UsesRedis && RedisConnection.Problem(RedisClustering!) is { } problem)
        {
            yield return new(problem, [nameof(RedisClustering)]);
        }
    }
}
