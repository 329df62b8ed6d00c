using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Newsstand.Records;

namespace Newsstand.Data;

/// <summary>The workloads' tables: billing sheet jobs and periodic monitors' state, plus the index the payable total needs.</summary>
internal static class WorkloadsConfiguration
{
    public static void Apply(ModelBuilder model) =>
        model.ApplyConfiguration(new BillingJobs()).ApplyConfiguration(new Monitors()).ApplyConfiguration(new BillingDates());

    private sealed class BillingJobs : IEntityTypeConfiguration<BillingJobEntity>
    {
        public void Configure(EntityTypeBuilder<BillingJobEntity> job)
        {
            job.ToTable("billing_job");
            job.Property(j => j.Id).HasMaxLength(32);
            job.Property(j => j.Status).HasMaxLength(16);
            job.Property(j => j.FileName).HasMaxLength(64);
            job.Property(j => j.Error).HasMaxLength(500);
            // Finding the active job of a date, and the active jobs to resume after a restart.
            job.HasIndex(j => new { j.Status, j.BillingDate });
        }
    }

    private sealed class Monitors : IEntityTypeConfiguration<MonitorStateEntity>
    {
        public void Configure(EntityTypeBuilder<MonitorStateEntity> monitor)
        {
            monitor.ToTable("workload_monitor");
            monitor.Property(m => m.Id).HasMaxLength(64);
        }
    }

    /// <summary>The payable total sums one day's billings: an index on the billing date keeps that off a full table scan.</summary>
    private sealed class BillingDates : IEntityTypeConfiguration<BillingRecord>
    {
        public void Configure(EntityTypeBuilder<BillingRecord> billing) => billing.HasIndex(b => b.DateBilled);
    }
}
