using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Security;
using Orleans.Concurrency;

namespace Newsstand.Tables;

/// <summary>
/// Owner of one username: which login holds it (loaded from the database at activation, then changed
/// only by the login chunks through <see cref="ClaimAsync"/> and <see cref="ReleaseAsync"/>).
/// </summary>
[Reentrant] // Claim and release change state synchronously; verifications only read it while they wait for a hash.
internal sealed class UsernameGrain(NewsstandDb db, DecoyPassword decoy) : Grain, IUsernameGrain
{
    private int? _holder;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var username = this.GetPrimaryKeyString();
        _holder = await db.ReadAsync(context => context.Logins
            .Where(l => l.Username == username)
            .Select(l => (int?)l.Id)
            .FirstOrDefaultAsync(cancellationToken));
    }

    public Task ClaimAsync(int loginId)
    {
        if (_holder is { } holder && holder != loginId)
        {
            throw new RecordConflictException("username", $"The username '{this.GetPrimaryKeyString()}' is taken.");
        }
        _holder = loginId;
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(int loginId)
    {
        if (_holder == loginId)
        {
            _holder = null;
        }
        return Task.CompletedTask;
    }

    public Task ForgetAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public async Task<LoginView?> VerifyAsync(LoginCredentials credentials)
    {
        if (_holder is { } id)
        {
            return await GrainFactory.LoginOwner(id).VerifyAsync(id, credentials);
        }
        await decoy.VerifyAsync(credentials.Password);
        return null;
    }
}
