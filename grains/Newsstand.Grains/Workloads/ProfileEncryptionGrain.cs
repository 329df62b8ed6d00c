using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Workloads;

/// <summary>
/// Encrypted admin profiles. Admins are walked with the batched scan; within a batch every admin is handled
/// concurrently (its login looked up from the login chunk that owns it, the profile condensed and encrypted),
/// and the batch is awaited as a whole. Holds no state, so every silo runs its own.
/// </summary>
[StatelessWorker]
internal sealed class ProfileEncryptionGrain(ProfileProtector protector) : Grain, IProfileEncryptionGrain
{
    public const int AdminBatch = 256;

    public async Task<EncryptedProfiles> EncryptAllAsync()
    {
        var profiles = new List<EncryptedProfile>();
        var admins = new List<AdminRecord>(AdminBatch);
        await foreach (var admin in GrainFactory.ScanAsync<AdminRecord>(AdminBatch))
        {
            admins.Add(admin);
            if (admins.Count == AdminBatch)
            {
                profiles.AddRange(await EncryptAsync(admins));
                admins.Clear();
            }
        }
        profiles.AddRange(await EncryptAsync(admins));
        return new EncryptedProfiles("done", profiles.Count, profiles);
    }

    public Task<AdminProfile> DecryptAsync(string token) => protector.UnprotectAsync(token);

    /// <summary>Every admin's profile extracted concurrently, then the batch condensed and encrypted.</summary>
    private async Task<IEnumerable<EncryptedProfile>> EncryptAsync(List<AdminRecord> admins)
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
