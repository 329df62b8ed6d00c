using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;
using Newsstand.Hosting;
using StackExchange.Redis;

namespace Newsstand.Silo.Hosting;

/// <summary>The attributes of <see cref="SiloClusterOptions"/> plus the rules between its keys.</summary>
internal sealed class SiloClusterOptionsValidator : IValidateOptions<SiloClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloClusterOptions options)
    {
        var failures = new List<string>();
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        failures.AddRange(results.Select(result => $"{Key(result.MemberNames.FirstOrDefault())}: {result.ErrorMessage}"));
        if (options.SiloPort == options.GatewayPort)
        {
            failures.Add($"{Key(nameof(options.SiloPort))} and {Key(nameof(options.GatewayPort))} must differ (both are {options.SiloPort}).");
        }
        if (options.AdvertisedAddress is { } address && !IPAddress.TryParse(address, out _))
        {
            failures.Add($"{Key(nameof(options.AdvertisedAddress))}: '{address}' is not an IP address.");
        }
        if (options.UsesRedis && RedisProblem(options.RedisClustering!) is { } problem)
        {
            failures.Add($"{Key(nameof(options.RedisClustering))}: {problem}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Reads the section and validates it at once; a bad key stops the start with a message naming it.</summary>
    public static SiloClusterOptions Read(IConfiguration configuration)
    {
        var options = new SiloClusterOptions();
        try
        {
            configuration.GetSection(SiloClusterOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new StartupCheckException(e.Message);
        }
        var result = new SiloClusterOptionsValidator().Validate(null, options);
        return result.Failed ? throw new StartupCheckException("Invalid cluster configuration: " + result.FailureMessage) : options;
    }

    private static string Key(string? member) => $"{SiloClusterOptions.SectionName}:{member}";

    private static string? RedisProblem(string connection)
    {
        try
        {
            // Passwords in the connection string stay out of the message.
            return ConfigurationOptions.Parse(connection).EndPoints.Count == 0 ? "names no Redis endpoint." : null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
