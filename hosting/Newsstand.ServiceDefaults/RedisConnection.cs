using StackExchange.Redis;

namespace Newsstand.Hosting;

/// <summary>The Redis connection string of the membership store (<c>Orleans:RedisClustering</c>), read the same way by silos and web clients.</summary>
public static class RedisConnection
{
    /// <summary>
    /// Parses a connection string that <see cref="Problem"/> accepted. Redis may come up after the silos and
    /// clients (Kubernetes starts them all at once), so a connection keeps retrying instead of failing.
    /// </summary>
    public static ConfigurationOptions Parse(string connection)
    {
        var options = ConfigurationOptions.Parse(connection);
        options.AbortOnConnectFail = false;
        return options;
    }

    /// <summary>What is wrong with the connection string (never echoing it: it may hold a password), or null.</summary>
    public static string? Problem(string connection)
    {
        try
        {
            return ConfigurationOptions.Parse(connection).EndPoints.Count == 0 ? "names no Redis endpoint." : null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
