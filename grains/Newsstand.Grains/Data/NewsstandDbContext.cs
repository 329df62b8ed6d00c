using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Newsstand.Records;

namespace Newsstand.Data;

/// <summary>
/// The ten tables of the original schema. Rows are the wire records themselves (immutable, mapped by
/// constructor), except logins, whose stored form carries the hash. Table names, text limits and the
/// unique username come from the records' attributes (<see cref="TableSchema"/>); the references between
/// tables are declared here, once. Each provider has its own subclass so that each keeps its own migrations.
/// </summary>
internal abstract class NewsstandDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>The key ring of the profile tokens: in the system of record, so every silo of a cluster shares it.</summary>
    public DbSet<ProfileKeyEntity> ProfileKeys => Set<ProfileKeyEntity>();

    /// <summary>The access tokens' signing keys (private halves encrypted with the key ring above).</summary>
    public DbSet<SigningKeyEntity> SigningKeys => Set<SigningKeyEntity>();

    public DbSet<LoginEntity> Logins => Set<LoginEntity>();
    public DbSet<AdminRecord> Admins => Set<AdminRecord>();
    public DbSet<VendorRecord> Vendors => Set<VendorRecord>();
    public DbSet<CustomerRecord> Customers => Set<CustomerRecord>();
    public DbSet<BillingRecord> Billings => Set<BillingRecord>();
    public DbSet<MessengerRecord> Messengers => Set<MessengerRecord>();
    public DbSet<PublicationRecord> Publications => Set<PublicationRecord>();
    public DbSet<ContentRecord> Contents => Set<ContentRecord>();
    public DbSet<SalesRecord> Sales => Set<SalesRecord>();
    public DbSet<SubscriptionRecord> Subscriptions => Set<SubscriptionRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        References<AdminRecord, LoginEntity>(modelBuilder, x => x.LoginId);
        References<VendorRecord, LoginEntity>(modelBuilder, x => x.LoginId);
        References<CustomerRecord, LoginEntity>(modelBuilder, x => x.LoginId);
        References<BillingRecord, VendorRecord>(modelBuilder, x => x.VendorId);
        References<BillingRecord, AdminRecord>(modelBuilder, x => x.AdminId);
        References<MessengerRecord, VendorRecord>(modelBuilder, x => x.VendorId);
        References<PublicationRecord, VendorRecord>(modelBuilder, x => x.VendorId);
        References<PublicationRecord, MessengerRecord>(modelBuilder, x => x.MessengerId);
        References<ContentRecord, PublicationRecord>(modelBuilder, x => x.PublicationId);
        References<SalesRecord, PublicationRecord>(modelBuilder, x => x.PublicationId);
        References<SubscriptionRecord, CustomerRecord>(modelBuilder, x => x.CustomerId);
        WorkloadsConfiguration.Apply(modelBuilder);
        TopicTables.Configure(modelBuilder);
        modelBuilder.ApplyConfiguration(new IdempotencyTable());

        modelBuilder.Entity<ProfileKeyEntity>().ToTable("profile_key");
        modelBuilder.Entity<SigningKeyEntity>().ToTable("signing_key").Property(k => k.Id).HasMaxLength(32);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.ClrType.IsAssignableTo(typeof(ITableRecord)))
            {
                // Record keys are supplied by the caller, never generated.
                modelBuilder.Entity(entity.ClrType).Property(nameof(ITableRecord.Id)).ValueGeneratedNever();
            }
            foreach (var property in entity.GetProperties())
            {
                // Column names are the API's field names, by the same policy as the JSON.
                property.SetColumnName(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
                // Text limits are the records' own (characters, as varchar counts them).
                if (property.PropertyInfo?.GetCustomAttribute<TextAttribute>() is { MaxLength: < int.MaxValue } text)
                {
                    property.SetMaxLength(text.MaxLength);
                }
            }
        }
    }

    private static void References<TDependent, TPrincipal>(ModelBuilder model, Expression<Func<TDependent, object?>> foreignKey)
        where TDependent : class where TPrincipal : class =>
        model.Entity<TDependent>().HasOne<TPrincipal>().WithMany().HasForeignKey(foreignKey).OnDelete(DeleteBehavior.Restrict);
}

internal sealed class SqliteNewsstandDbContext(DbContextOptions<SqliteNewsstandDbContext> options) : NewsstandDbContext(options);

internal sealed class PostgresNewsstandDbContext(DbContextOptions<PostgresNewsstandDbContext> options) : NewsstandDbContext(options);
