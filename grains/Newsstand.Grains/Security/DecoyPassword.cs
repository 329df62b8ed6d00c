namespace Newsstand.Security;

/// <summary>
/// A stored-looking hash no password matches, hashed once per silo with the current cost: checking a
/// password against it costs exactly what checking a real login costs, so an unknown username cannot
/// be told from a wrong password by timing.
/// </summary>
internal sealed class DecoyPassword(HashingLane lane, PasswordHasher hasher)
{
    private Task<string>? _hash;

    /// <summary>Runs one full verification on the lane and answers false.</summary>
    public async Task<bool> VerifyAsync(string password)
    {
        var hash = Volatile.Read(ref _hash);
        if (hash is null || hash.IsFaulted || hash.IsCanceled)
        {
            // A refused or failed attempt (a full lane) is not kept: the next caller tries again.
            hash = lane.RunAsync(() => hasher.Hash(Guid.NewGuid().ToString("N")));
            Volatile.Write(ref _hash, hash);
        }
        var stored = await hash;
        await lane.RunAsync(() => PasswordHasher.Verify(password, stored));
        return false;
    }
}
