using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Newsstand.Messaging;

namespace Newsstand.Data;

/// <summary>A consumed message whose effect was rejected, and why (the consumer moved on past it).</summary>
[Table("topic_failure")]
internal sealed record TopicFailure(string Topic, int Partition, long Seq, string Reason, DateTimeOffset FailedAt);

/// <summary>
/// The tables of the topics: the log (key: topic, partition, sequence number — the unique key that keeps
/// two writers of one partition from both taking a number), the consumers' checkpoints (the position is
/// a concurrency token: a checkpoint only moves from the value its writer read), and the failed messages.
/// </summary>
internal static class TopicTables
{
    public const int TopicLength = 45;
    public const int ReasonLength = 1000;
    public const int MessageIdLength = 64;

    public static void Configure(ModelBuilder model)
    {
        model.ApplyConfiguration(new MessageConfiguration());
        model.ApplyConfiguration(new CheckpointConfiguration());
        model.ApplyConfiguration(new FailureConfiguration());
    }

    private sealed class MessageConfiguration : IEntityTypeConfiguration<TopicMessage>
    {
        public void Configure(EntityTypeBuilder<TopicMessage> message)
        {
            message.HasKey(m => new { m.Topic, m.Partition, m.Seq });
            message.Property(m => m.Topic).HasMaxLength(TopicLength);
            message.Property(m => m.Seq).ValueGeneratedNever();
            message.Property(m => m.MessageId).HasMaxLength(MessageIdLength);
            message.HasIndex(m => new { m.Topic, m.MessageId }).IsUnique();
        }
    }

    private sealed class CheckpointConfiguration : IEntityTypeConfiguration<TopicCheckpoint>
    {
        public void Configure(EntityTypeBuilder<TopicCheckpoint> checkpoint)
        {
            checkpoint.HasKey(c => new { c.Topic, c.Partition });
            checkpoint.Property(c => c.Topic).HasMaxLength(TopicLength);
            checkpoint.Property(c => c.Position).IsConcurrencyToken();
        }
    }

    private sealed class FailureConfiguration : IEntityTypeConfiguration<TopicFailure>
    {
        public void Configure(EntityTypeBuilder<TopicFailure> failure)
        {
            failure.HasKey(f => new { f.Topic, f.Partition, f.Seq });
            failure.Property(f => f.Topic).HasMaxLength(TopicLength);
            failure.Property(f => f.Reason).HasMaxLength(ReasonLength);
        }
    }
}
