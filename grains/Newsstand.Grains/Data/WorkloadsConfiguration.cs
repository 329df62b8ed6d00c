using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Newsstand.Records;

namespace Newsstand.Data;

/// <summary>The workloads' tables: billing sheet jobs with their sheets and periodic monitors' state, plus the index the payable total needs.</summary>
internal static class WorkloadsConfiguration
{
    public static void Apply(ModelBuilder model) =>
        model.ApplyConfiguration(new BillingJobs()).ApplyConfiguration(new BillingSheetParts()).ApplyConfiguration(new Monitors())
            .ApplyConfiguration(new BillingDates());

    private sealed class BillingJobs : IEntityTypeConfiguration<BillingJobEntity>
    {
        public void Configure(EntityTypeBuilder<BillingJobEntity> job)
        {
            job.ToTable("billing_job");
            job.Property(j => j.Id).HasMaxLength(32);
            job.Property(j => j.Status).HasMaxLength(16);
            job.Property(j => j.FileName).HasMaxLength(64);
            job.Property(j => j.Error).HasMaxLength(500);
            job.Property(j => j.SheetRun).HasMaxLength(32);
            // Finding the active job of a date, and the active jobs to resume after a restart.
            job.HasIndex(j => new { j.Status, j.BillingDate });
        }
    }

    /// <summary>Sheets live in the database (any silo serves a download; nothing needs a shared volume), in parts of a
    /// bounded size so neither writing nor reading one holds a whole sheet in memory.</summary>
    private sealed class BillingSheetParts : IEntityTypeConfiguration<BillingSheetPartEntity>
    {
        public void Configure(EntityTypeBuilder<BillingSheetPartEntity> part)
        {
            part.ToTable("billing_sheet_part");
            part.HasKey(p => new { p.JobId, p.Run, p.Part });
            part.Property(p => p.JobId).HasMaxLength(32);
            part.Property(p => p.Run).HasMaxLength(32);
            part.HasOne<BillingJobEntity>().WithMany().HasForeignKey(p => p.JobId).OnDelete(DeleteBehavior.Cascade);
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
