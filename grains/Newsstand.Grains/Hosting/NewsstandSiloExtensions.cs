using Microsoft.Extensions.DependencyInjection;
using Newsstand.Data;
using Newsstand.Security;

namespace Newsstand.Hosting;

public static class NewsstandSiloExtensions
{
    /// <summary>
    /// Everything the grains need in a silo: the database (migrated at start), the hashing lane and the
    /// cache warm-up. Used by the silo host and by the test clusters alike.
    /// </summary>
    public static ISiloBuilder AddNewsstandGrains(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HashingOptions>().BindConfiguration(HashingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<NewsstandDb>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<HashingLane>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DatabaseMigrator>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CacheWarmer>();
        return silo;
    }
}
