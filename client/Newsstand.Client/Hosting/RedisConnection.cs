using StackExchange.Redis;

namespace Newsstand.Client.Hosting;

internal static class RedisConnection
{
    /// <summary>Parses a Redis connection string; Redis may come up after the client, so it keeps retrying instead of failing.</summary>
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
