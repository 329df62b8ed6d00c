using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Newsstand.Data;
using Newsstand.Workloads;

namespace Newsstand.Hosting;

/// <summary>What the workload grains need in a silo: their options, the profile key ring (in the database), the task retry policy,
/// the billing ledger and sheet store (replaceable, e.g. by fault-injecting decorators in tests) and the restart recovery.</summary>
internal static class WorkloadServices
{
    public const string DataProtectionApplication = "nsms";

    public static IServiceCollection AddWorkloads(this IServiceCollection services)
    {
        services.AddSettings<PayableTotalOptions>(PayableTotalOptions.SectionName);
        services.AddSettings<SubscriptionMonitorOptions>(SubscriptionMonitorOptions.SectionName);
        // The key ring lives in the system of record: every silo of a cluster encrypts and decrypts with the same keys.
        services.AddSingleton<DatabaseKeyRing>();
        services.AddDataProtection().SetApplicationName(DataProtectionApplication);
        services.AddOptions<KeyManagementOptions>().Configure<DatabaseKeyRing>((options, ring) => options.XmlRepository = ring);
        services.AddSingleton<ProfileProtector>();
        services.AddSingleton<TaskRetryPolicy>();
        services.TryAddSingleton<IBillingSheetStore, DatabaseBillingSheetStore>();
        services.TryAddSingleton<IBillingLedger, DatabaseBillingLedger>();
        services.AddSingleton<SiloStopping>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, WorkloadRecovery>();
        return services;
    }
}
