using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;

namespace Newsstand.Idempotency;

/// <summary>
/// One caller's idempotency key (see <see cref="IIdempotencyKeyGrain"/>). Not reentrant: a begin, a completion and an
/// abandon of one key are taken one at a time. The answer is read from the database while this activation knows none (a
/// retry after an unknown commit outcome finds the answer stored exactly when the effect was), and kept once known. A
/// hold lasts at most <see cref="HoldLimit"/>: a web client that died mid-request does not lock the key for good.
/// </summary>
internal sealed partial class IdempotencyKeyGrain(
    NewsstandDb db, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, IOptions<IdempotencyOptions> options, ILogger<IdempotencyKeyGrain> logger)
    : Grain, IIdempotencyKeyGrain
{
    /// <summary>Longest hold of a key by one running request: longer than the web client's response timeout (30 s).</summary>
    public static readonly TimeSpan HoldLimit = TimeSpan.FromMinutes(2);

    private IdempotencyRecord? _answer;
    private (string Fingerprint, DateTimeOffset Until)? _hold;

    public async Task<IdempotencyStart> BeginAsync(string fingerprint)
    {
        var now = time.GetUtcNow();
        if (_hold is { } hold && hold.Until > now)
        {
            return new(hold.Fingerprint == fingerprint ? IdempotencyVerdict.InProgress : IdempotencyVerdict.Mismatch);
        }
        _hold = null;
        _answer = Live(_answer, now) ?? await ReadLiveAsync(now);
        if (_answer is { } answer)
        {
            return answer.Fingerprint == fingerprint ? new(IdempotencyVerdict.Replay, answer) : new(IdempotencyVerdict.Mismatch);
        }
        _hold = (fingerprint, now + HoldLimit);
        return new(IdempotencyVerdict.Proceed);
    }

    public async Task CompleteAsync(IdempotencyRecord answer, bool storedWithEffect)
    {
        var (scope, key) = IdempotencyKeys.Parse(this.GetPrimaryKeyString());
        var stored = answer with { Scope = scope, Key = key, CreatedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
        try
        {
            if (storedWithEffect)
            {
                // The effect's transaction stored it (its time is the chunk's); the database has the exact row.
                stored = await ReadAsync() ?? stored;
            }
            else
            {
                await db.InsertAsync(stored);
            }
            _answer = stored;
        }
        catch (RecordConflictException)
        {
            // Stored meanwhile (a hold that ran out, and another request of the key finished first): that answer stands.
            _answer = await ReadAsync();
            LogStoredMeanwhile(scope.Length, key.Length);
        }
        finally
        {
            ReleaseHold(answer.Fingerprint);
        }
    }

    public Task AbandonAsync(string fingerprint)
    {
        ReleaseHold(fingerprint);
        return Task.CompletedTask;
    }

    private void ReleaseHold(string fingerprint)
    {
        if (_hold?.Fingerprint == fingerprint)
        {
            _hold = null;
        }
    }

    private IdempotencyRecord? Live(IdempotencyRecord? answer, DateTimeOffset now) =>
        answer is not null && DateTimeOffset.FromUnixTimeMilliseconds(answer.CreatedAtMs) + options.Value.Retention > now ? answer : null;

    /// <summary>The stored answer if it is within retention; an expired one (not yet purged) is deleted now, so the key is new again.</summary>
    private async Task<IdempotencyRecord?> ReadLiveAsync(DateTimeOffset now)
    {
        var stored = await ReadAsync();
        if (stored is null || Live(stored, now) is not null)
        {
            return stored;
        }
        await db.WriteUnitAsync(new WriteRow(stored, EntityState.Deleted));
        return null;
    }

    private Task<IdempotencyRecord?> ReadAsync()
    {
        var (scope, key) = IdempotencyKeys.Parse(this.GetPrimaryKeyString());
        return db.ReadAsync(context => context.Set<IdempotencyRecord>().FirstOrDefaultAsync(a => a.Scope == scope && a.Key == key));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "An idempotency key (scope of {ScopeLength} characters, key of {KeyLength}) already had an answer stored; it stands.")]
    private partial void LogStoredMeanwhile(int scopeLength, int keyLength);
}
