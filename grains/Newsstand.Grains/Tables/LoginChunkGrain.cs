using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Records;
using Newsstand.Security;
using Orleans.Concurrency;

namespace Newsstand.Tables;

/// <summary>
/// Owner of one chunk of the login table. Hashes run on the <see cref="HashingLane"/>; this grain only
/// awaits them, so while one login is being hashed the chunk keeps serving reads and other writes.
/// A username is claimed from its <see cref="IUsernameGrain"/> before the write and given back if the
/// write fails, so usernames stay unique across chunks.
/// </summary>
[Reentrant] // State changes only in the synchronous tail after a commit; two writes of one id never overlap.
internal sealed partial class LoginChunkGrain(NewsstandDb db, HashingLane lane, PasswordHasher hasher, DecoyPassword decoy, MemoryReclaimer memory, ILogger<LoginChunkGrain> logger)
    : TableChunkGrain<LoginEntity, LoginView>(db, memory, logger), ILoginChunkGrain
{
    public async Task<LoginView> AddAsync(NewLogin login)
    {
        BeginInsert(login.Id);
        Task indexed;
        try
        {
            var row = await WriteClaimingAsync(login, Db.InsertAsync, claim: true);
            indexed = CommittedAsync(row);
        }
        finally
        {
            EndWrite(login.Id);
        }
        await indexed;
        return View(Rows.Find(login.Id)!);
    }

    public async Task<LoginView> UpdateAsync(NewLogin login)
    {
        if (!Rows.Contains(login.Id))
        {
            throw new RecordNotFoundException(Table, login.Id);
        }
        BeginWrite(login.Id);
        Task indexed;
        try
        {
            var previous = Rows.Find(login.Id)!.Username;
            var renamed = previous != Usernames.Canonical(login.Username);
            var row = await WriteClaimingAsync(login, Db.UpdateAsync, claim: renamed);
            indexed = CommittedAsync(row);
            if (renamed)
            {
                await ReleaseAsync(previous, login.Id);
            }
        }
        finally
        {
            EndWrite(login.Id);
        }
        await indexed;
        return View(Rows.Find(login.Id)!);
    }

    public async Task<LoginView?> VerifyAsync(int id, LoginCredentials credentials)
    {
        var row = Rows.Find(id);
        if (row is null || row.Username != Usernames.Canonical(credentials.Username))
        {
            await decoy.VerifyAsync(credentials.Password);
            return null;
        }
        var matches = await lane.RunAsync(() => PasswordHasher.Verify(credentials.Password, row.Password));
        return matches ? View(row) : null;
    }

    protected override LoginView View(LoginEntity row) => row.View;

    /// <summary>Claims the username (when it is new to this login), hashes the password and writes the row;
    /// a failed write gives the claim back.</summary>
    private async Task<LoginEntity> WriteClaimingAsync(NewLogin login, Func<object, Task> write, bool claim)
    {
        if (claim)
        {
            await GrainFactory.Username(login.Username).ClaimAsync(login.Id);
        }
        var written = false;
        try
        {
            var hash = await lane.RunAsync(() => hasher.Hash(login.Password));
            var row = new LoginEntity(login.Id, Usernames.Canonical(login.Username), hash, login.UserType);
            await CommitAsync(() => write(row));
            written = true;
            return row;
        }
        finally
        {
            if (claim && !written)
            {
                await ReleaseAsync(login.Username, login.Id);
            }
        }
    }

    private async Task ReleaseAsync(string username, int loginId)
    {
        try
        {
            await GrainFactory.Username(username).ReleaseAsync(loginId);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The username grain reloads the truth from the database on its next activation.
            LogReleaseFailed(loginId, error.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back a username claimed by login {LoginId} ({Error}).")]
    private partial void LogReleaseFailed(int loginId, string error);
}
