using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Newsstand.Idempotency;

namespace Newsstand.Data;

/// <summary>
/// Table <c>idempotency_key</c>: one stored answer per (caller scope, key), and an index on its creation time for the
/// purge of expired answers.
/// </summary>
internal sealed class IdempotencyTable : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> answer)
    {
        answer.ToTable("idempotency_key");
        answer.HasKey(a => new { a.Scope, a.Key });
        answer.Property(a => a.Scope).HasMaxLength(IdempotencyRecord.ScopeLength);
        answer.Property(a => a.Key).HasMaxLength(IdempotencyRecord.KeyLength);
        answer.Property(a => a.Fingerprint).HasMaxLength(IdempotencyRecord.FingerprintLength);
        answer.Property(a => a.ContentType).HasMaxLength(IdempotencyRecord.HeaderLength);
        answer.Property(a => a.Location).HasMaxLength(IdempotencyRecord.HeaderLength);
        answer.HasIndex(a => a.CreatedAtMs);
    }
}
