using Microsoft.Extensions.Logging;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// Encrypted admin profiles. Admins are walked with the batched scan; within a batch every admin is handled
/// concurrently (its login looked up from the login chunk that owns it, the profile condensed and encrypted), and
/// the batch is yielded as the caller pulls: the silo holds one batch per answer and a caller that stops pulling
/// stops the scan.
/// </summary>
// One activation per answer, let go at once when its caller leaves mid-answer (StreamedAnswer); the age limit
// collects those of finished answers.
[CollectionAgeLimit(Minutes = 2)]
internal sealed class EncryptedProfilesGrain(ProfileProtector protector, ILogger<EncryptedProfilesGrain> logger) : Grain, IEncryptedProfilesGrain
{
    public const int AdminBatch = 256;

    public IAsyncEnumerable<EncryptedProfile> EncryptAllAsync() =>
        GrainFactory.ScanBatchesAsync<AdminRecord, EncryptedProfile>(AdminBatch, EncryptAsync).EndingWith(this, logger);

    /// <summary>Every admin's profile extracted concurrently, then the batch condensed and encrypted.</summary>
    private async Task<IEnumerable<EncryptedProfile>> EncryptAsync(AdminRecord[] admins)
    {
        var batch = await Task.WhenAll(admins.Select(ExtractAsync));
        var tokens = await protector.ProtectAsync(batch);
        return batch.Zip(tokens, (profile, token) => new EncryptedProfile(profile.AdminId, token));
    }

    private async Task<AdminProfile> ExtractAsync(AdminRecord admin)
    {
        var login = await GrainFactory.TableChunk<LoginView>(TableSchema.ChunkOf(admin.LoginId)).FindAsync([admin.LoginId]);
        return new AdminProfile(admin.Id, admin.Firstname, admin.Lastname, admin.Age, admin.DateStarted, admin.Status, admin.Birthday,
            admin.LoginId, login.FirstOrDefault()?.Username);
    }
}
