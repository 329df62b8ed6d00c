using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Newsstand.Grains;

namespace Newsstand.Api.Access;

/// <summary>
/// The public signing keys, as the key ring grain publishes them, held by this web client so that it validates every
/// token locally (no grain call per request). Refreshed every <see cref="RefreshPeriod"/> (a new key is published an
/// hour before it signs); a token with an unknown key id triggers a refresh at most once per <see cref="UnknownKeyPause"/>,
/// so a flood of forged key ids costs at most one grain call per pause.
/// </summary>
internal sealed partial class SigningKeyCache(IGrainFactory grains, TimeProvider time, ILogger<SigningKeyCache> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan UnknownKeyPause = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile Dictionary<string, SecurityKey> _keys = new Dictionary<string, SecurityKey>();
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;

    /// <summary>The key with this id, if this client knows it.</summary>
    public SecurityKey? Find(string? keyId) => keyId is not null && _keys.TryGetValue(keyId, out var key) ? key : null;

    /// <summary>Makes sure <paramref name="keyId"/> is known if the cluster publishes it: refreshes unless one refresh ran within the pause.</summary>
    public async ValueTask EnsureKnownAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_keys.ContainsKey(keyId))
        {
            return;
        }
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            if (!_keys.ContainsKey(keyId) && time.GetUtcNow() - _lastRefresh >= UnknownKeyPause)
            {
                await RefreshLockedAsync();
            }
        }
        finally
        {
            _refreshing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _refreshing.WaitAsync(stoppingToken);
                try
                {
                    await RefreshLockedAsync();
                }
                finally
                {
                    _refreshing.Release();
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The cluster may not be reachable yet: the keys held so far keep validating, and an unknown key asks again.
                LogRefreshFailed(error.GetType().Name);
            }
            await Task.Delay(RefreshPeriod, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task RefreshLockedAsync()
    {
        _lastRefresh = time.GetUtcNow();
        var published = await grains.GetGrain<ISigningKeyRingGrain>(0).GetPublicKeysAsync();
        var keys = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var key in published)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
            keys[key.KeyId] = new ECDsaSecurityKey(ecdsa) { KeyId = key.KeyId };
        }
        _keys = keys;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the token signing keys ({Error}); keeping the ones held.")]
    private partial void LogRefreshFailed(string error);
}
