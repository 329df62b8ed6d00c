using Newsstand.Grains;
using Orleans.Concurrency;

namespace Newsstand.Workloads;

/// <summary>Decrypts profile tokens. Holds no state, so every silo runs its own.</summary>
[StatelessWorker]
internal sealed class ProfileEncryptionGrain(ProfileProtector protector) : Grain, IProfileEncryptionGrain
{
    public Task<AdminProfile> DecryptAsync(string token) => protector.UnprotectAsync(token);
}
