using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Identity;

/// <summary>
/// Sign-in: the password is checked by the username's owner (the same path, lane and decoy timing as
/// <c>login/verify</c>), the role read from the admin table (admin when an admin row references the login), and the
/// token signed by the <see cref="ISigningKeyRingGrain"/>. Stateless: runs on whichever silo takes the call.
/// </summary>
[StatelessWorker]
internal sealed class TokenIssuerGrain(NewsstandDb db) : Grain, ITokenIssuerGrain
{
    public async Task<IssuedToken?> IssueAsync(LoginCredentials credentials)
    {
        if (await GrainFactory.Username(credentials.Username).VerifyAsync(credentials) is not { } login)
        {
            return null;
        }
        var admin = await db.ReadAsync(context => context.Admins.AnyAsync(a => a.LoginId == login.Id));
        var role = admin ? AccessTokens.AdminRole : AccessTokens.UserRole;
        return await GrainFactory.GetGrain<ISigningKeyRingGrain>(0).SignAsync(new TokenSubject(login.Id, login.Username, role));
    }
}
