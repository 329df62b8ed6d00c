using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Newsstand.Records;

namespace Newsstand.Data;

/// <summary>
/// The ten tables of the original schema. Rows are the wire records themselves (immutable, mapped by
/// constructor), except logins, whose stored form carries the hash. Each provider has its own subclass
/// so that each keeps its own migrations.
/// </summary>
internal abstract class NewsstandDbContext(DbContextOptions options) : DbContext(options)
{
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
        modelBuilder.Entity<LoginEntity>(e =>
        {
            Table(e, "login");
            e.Property(x => x.Username).HasMaxLength(Limits.Name);
            e.Property(x => x.Password).HasMaxLength(200);
            e.HasIndex(x => x.Username).IsUnique();
        });
        modelBuilder.Entity<AdminRecord>(e =>
        {
            Table(e, "admin");
            Text(e, x => x.Firstname, Limits.Name);
            Text(e, x => x.Lastname, Limits.Name);
            e.HasOne<LoginEntity>().WithMany().HasForeignKey(x => x.LoginId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<VendorRecord>(e =>
        {
            Table(e, "vendor");
            Text(e, x => x.RepFirstname, Limits.Name);
            Text(e, x => x.RepLastname, Limits.Name);
            Text(e, x => x.RepId, Limits.Name);
            Text(e, x => x.AccountName, Limits.Name);
            Text(e, x => x.AccountNumber, Limits.Name);
            e.HasOne<LoginEntity>().WithMany().HasForeignKey(x => x.LoginId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<CustomerRecord>(e =>
        {
            Table(e, "customer");
            Text(e, x => x.Firstname, Limits.Name);
            Text(e, x => x.Lastname, Limits.Name);
            e.HasOne<LoginEntity>().WithMany().HasForeignKey(x => x.LoginId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<BillingRecord>(e =>
        {
            Table(e, "billing");
            Text(e, x => x.ApprovedBy, Limits.Name);
            Text(e, x => x.ReceivedBy, Limits.Name);
            e.HasOne<VendorRecord>().WithMany().HasForeignKey(x => x.VendorId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<AdminRecord>().WithMany().HasForeignKey(x => x.AdminId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<MessengerRecord>(e =>
        {
            Table(e, "messenger");
            Text(e, x => x.Firstname, Limits.Name);
            Text(e, x => x.Lastname, Limits.Name);
            e.HasOne<VendorRecord>().WithMany().HasForeignKey(x => x.VendorId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<PublicationRecord>(e =>
        {
            Table(e, "publication");
            Text(e, x => x.Name, Limits.LongName);
            Text(e, x => x.Type, Limits.Name);
            e.HasOne<VendorRecord>().WithMany().HasForeignKey(x => x.VendorId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<MessengerRecord>().WithMany().HasForeignKey(x => x.MessengerId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<ContentRecord>(e =>
        {
            Table(e, "content");
            Text(e, x => x.Headline, Limits.LongName);
            Text(e, x => x.ContentType, Limits.ContentType);
            e.HasOne<PublicationRecord>().WithMany().HasForeignKey(x => x.PublicationId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<SalesRecord>(e =>
        {
            Table(e, "sales");
            e.HasOne<PublicationRecord>().WithMany().HasForeignKey(x => x.PublicationId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<SubscriptionRecord>(e =>
        {
            Table(e, "subscription");
            Text(e, x => x.Branch, Limits.LongName);
            e.HasOne<CustomerRecord>().WithMany().HasForeignKey(x => x.CustomerId).OnDelete(DeleteBehavior.Restrict);
        });

        // Column names are the API's snake_case field names, as in the original schema.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    private static void Table<T>(EntityTypeBuilder<T> entity, string name) where T : class
    {
        entity.ToTable(name);
        entity.HasKey("Id");
        // Keys are supplied by the caller, never generated.
        entity.Property<int>("Id").ValueGeneratedNever();
    }

    private static void Text<T>(EntityTypeBuilder<T> entity, System.Linq.Expressions.Expression<Func<T, string>> property, int maxLength)
        where T : class => entity.Property(property).HasMaxLength(maxLength);

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}

internal sealed class SqliteNewsstandDbContext(DbContextOptions<SqliteNewsstandDbContext> options) : NewsstandDbContext(options);

internal sealed class PostgresNewsstandDbContext(DbContextOptions<PostgresNewsstandDbContext> options) : NewsstandDbContext(options);
