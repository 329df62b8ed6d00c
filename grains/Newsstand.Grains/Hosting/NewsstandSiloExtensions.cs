using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Idempotency;
using Newsstand.Identity;
using Newsstand.Messaging;
using Newsstand.Records;
using Newsstand.Security;
using Newsstand.Tables;
using Orleans.Configuration;

namespace Newsstand.Hosting;

public static class NewsstandSiloExtensions
{
    /// <summary>
    /// Everything the grains need in a silo: the database (migrated at start), the hashing lane, the
    /// idle age of table chunks, the index warm-up, the stream provider and the topic's consumers (kept
    /// running by <see cref="TopicConsumerKeeper"/>). Used by the silo host and by
    /// the test clusters alike.
    /// </summary>
    public static ISiloBuilder AddNewsstandGrains(this ISiloBuilder silo)
    {
        silo.AddMemoryStreams(ProviderNames.Streams).AddMemoryGrainStorage(ProviderNames.PubSubStore);
        var services = silo.Services;
        services.AddSettings<DatabaseOptions>(DatabaseOptions.SectionName);
        services.AddSettings<HashingOptions>(HashingOptions.SectionName);
        services.AddSettings<TableOptions>(TableOptions.SectionName);
        services.AddSettings<TopicOptions>(TopicOptions.SectionName);
        services.AddSettings<IdempotencyOptions>(IdempotencyOptions.SectionName);
        services.AddSettings<WholeListLeaseOptions>(WholeListLeaseOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<TableOptions>>((collection, tables) =>
        {
            foreach (var owner in ChunkOwnerTypes())
            {
                collection.ClassSpecificCollectionAge[owner.FullName!] = tables.Value.ChunkIdleAge;
            }
        });
        services.AddSingleton<NewsstandDb>();
        services.TryAddSingleton<LocalWholeLists>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<HashingLane>();
        services.AddSingleton<DecoyPassword>();
        services.AddSingleton<MemoryReclaimer>();
        services.AddHostedService(provider => provider.GetRequiredService<MemoryReclaimer>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DatabaseMigrator>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CacheWarmer>();
        services.AddWorkloads();
        services.AddSettings<TokenOptions>(TokenOptions.SectionName);
        services.AddSettings<BootstrapAdminOptions>(BootstrapAdminOptions.SectionName);
        services.AddSingleton<SigningKeyProtector>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, BootstrapAdmin>();
        services.AddSingleton<TopicMetrics>();
        services.AddSingleton<TopicLogStore>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, TopicConsumerKeeper>();
        services.AddHostedService<IdempotencyPurger>();
        return silo;
    }

    private static IEnumerable<Type> ChunkOwnerTypes() =>
        TableSchema.Records.Select(record => typeof(RecordChunkGrain<>).MakeGenericType(record))
            .Append(typeof(LoginChunkGrain))
            .Append(typeof(UsernameGrain));
}
