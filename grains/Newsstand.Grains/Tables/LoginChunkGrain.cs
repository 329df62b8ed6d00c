using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Idempotency;
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
internal sealed partial class LoginChunkGrain(NewsstandDb db, HashingLane lane, PasswordHasher hasher, DecoyPassword decoy, MemoryReclaimer memory,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider answerClock, ILogger<LoginChunkGrain> logger)
    : TableChunkGrain<LoginEntity, LoginView>(db, memory, logger), ILoginChunkGrain
{
    public Task<LoginView> AddAsync(NewLogin login) => AddWithAsync(login, answer: null);

    public Task<LoginView> UpdateAsync(NewLogin login) => UpdateWithAsync(login, answer: null);

    public Task<LoginView> AddKeyedAsync(NewLogin login, IdempotencyRecord answer) => AddWithAsync(login, answer);

    public Task<LoginView> UpdateKeyedAsync(NewLogin login, IdempotencyRecord answer) => UpdateWithAsync(login, answer);

    private async Task<LoginView> AddWithAsync(NewLogin login, IdempotencyRecord? answer)
    {
        BeginInsert(login.Id);
        Task indexed;
        try
        {
            var row = await WriteClaimingAsync(login, Writes(EntityState.Added, answer), claim: true, previous: null);
            indexed = CommittedAsync(row);
        }
        finally
        {
            EndWrite(login.Id);
        }
        await indexed;
        return View(Rows.Find(login.Id)!);
    }

    private async Task<LoginView> UpdateWithAsync(NewLogin login, IdempotencyRecord? answer)
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
            var row = await WriteClaimingAsync(login, Writes(EntityState.Modified, answer), claim: renamed, previous: renamed ? previous : null);
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

    /// <summary>How a login row is written: alone, or with the answer to its request's idempotency key in one transaction.</summary>
    private Func<LoginEntity, Task> Writes(EntityState state, IdempotencyRecord? answer) => answer is null
        ? row => state == EntityState.Added ? Db.InsertAsync(row) : Db.UpdateAsync(row)
        : row => Db.WriteUnitAsync(
            new WriteRow(row, state),
            new WriteRow(answer with { CreatedAtMs = answerClock.GetUtcNow().ToUnixTimeMilliseconds() }, EntityState.Added));

    /// <summary>Claims the username (when it is new to this login), hashes the password and writes the row;
    /// a failed write gives the claim back. After a commit whose outcome is unknown the names involved
    /// (the claimed one and <paramref name="previous"/>, a rename's old one) are read from the database again.</summary>
    private async Task<LoginEntity> WriteClaimingAsync(NewLogin login, Func<LoginEntity, Task> write, bool claim, string? previous)
    {
        if (claim)
        {
            await GrainFactory.Username(login.Username).ClaimAsync(login.Id);
        }
        var written = false;
        var unknown = false;
        try
        {
            var hash = await lane.RunAsync(() => hasher.Hash(login.Password));
            var row = new LoginEntity(login.Id, Usernames.Canonical(login.Username), hash, login.UserType);
            await CommitAsync(() => write(row));
            written = true;
            return row;
        }
        catch (CommitOutcomeUnknownException)
        {
            unknown = true;
            throw;
        }
        finally
        {
            if (unknown)
            {
                await ForgetAsync(claim ? login.Username : null, previous);
            }
            else if (claim && !written)
            {
                await ReleaseAsync(login.Username, login.Id);
            }
        }
    }

    private async Task ForgetAsync(params string?[] usernames)
    {
        foreach (var username in usernames.OfType<string>())
        {
            try
            {
                await GrainFactory.Username(username).ForgetAsync();
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogForgetFailed(error.GetType().Name);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not have a username read again after an unknown commit outcome ({Error}); it is read again when its grain is next activated.")]
    private partial void LogForgetFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back a username claimed by login {LoginId} ({Error}).")]
    private partial void LogReleaseFailed(int loginId, string error);
}
