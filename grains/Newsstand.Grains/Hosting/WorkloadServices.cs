using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Workloads;

namespace Newsstand.Hosting;

/// <summary>What the workload grains need in a silo: their options, the profile key ring, the task retry policy,
/// the billing ledger (replaceable, e.g. by a fault-injecting decorator in tests) and the restart recovery.</summary>
internal static class WorkloadServices
{
    public const string DataProtectionApplication = "nsms";

    public static IServiceCollection AddWorkloads(this IServiceCollection services)
    {
        services.AddOptions<PayableTotalOptions>().BindConfiguration(PayableTotalOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SubscriptionMonitorOptions>().BindConfiguration(SubscriptionMonitorOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProfileEncryptionOptions>().BindConfiguration(ProfileEncryptionOptions.SectionName);
        services.AddDataProtection().SetApplicationName(DataProtectionApplication);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, KeyRingLocation>();
        services.AddSingleton<ProfileProtector>();
        services.AddSingleton<TaskRetryPolicy>();
        services.TryAddSingleton<IBillingLedger, DatabaseBillingLedger>();
        services.AddSingleton<SiloStopping>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, WorkloadRecovery>();
        return services;
    }

    /// <summary>The key ring lives in a folder: <see cref="ProfileEncryptionOptions.KeyDirectory"/>, or <c>keys</c> under the data directory.</summary>
    private sealed class KeyRingLocation(IOptions<ProfileEncryptionOptions> encryption, IOptions<DatabaseOptions> database, ILoggerFactory loggers)
        : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options)
        {
            var directory = encryption.Value.KeyDirectory is { Length: > 0 } configured
                ? configured
                : Path.Combine(database.Value.DataDirectory, "keys");
            options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.GetFullPath(directory)), loggers);
        }
    }
}
