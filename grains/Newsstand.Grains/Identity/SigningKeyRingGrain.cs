using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Identity;

/// <summary>
/// The key ring (one activation for the cluster): loads the keys from the database, creates the first one on a new
/// database (it signs at once), and from then on, whenever it is asked and the signing key is older than
/// <see cref="TokenOptions.KeyRotationPeriod"/> minus <see cref="TokenOptions.KeyPublishLead"/>, creates the next
/// one to sign <see cref="TokenOptions.KeyPublishLead"/> later. A key is published until the tokens it signed have
/// expired. Rotation rides on the calls themselves (web clients ask for the keys every 5 minutes), so no timer is needed.
/// Should two activations briefly exist, each may add a key: both are stored and published, and either signs validly.
/// </summary>
internal sealed partial class SigningKeyRingGrain(
    NewsstandDb db,
    SigningKeyProtector protector,
    IOptions<TokenOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<SigningKeyRingGrain> logger) : Grain, ISigningKeyRingGrain
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly TokenOptions _options = options.Value;
    private List<SigningKeyEntity> _keys = [];
    private (string KeyId, SigningCredentials Credentials)? _signing;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await LoadAsync();
        await RotateIfDueAsync();
    }

    public async Task<IssuedToken> SignAsync(TokenSubject subject)
    {
        await RotateIfDueAsync();
        var now = time.GetUtcNow();
        var key = SigningKey(now);
        if (_signing?.KeyId != key.Id)
        {
            var ecdsa = await protector.UnprotectAsync(key.ProtectedPrivateKey);
            _signing = (key.Id, new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.Id }, SecurityAlgorithms.EcdsaSha256));
        }
        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AccessTokens.Issuer,
            Audience = AccessTokens.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + _options.TokenLifetime).UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(AccessTokens.SubjectClaim, subject.LoginId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(AccessTokens.NameClaim, subject.Username),
                new Claim(AccessTokens.RoleClaim, subject.Role),
            ]),
            SigningCredentials = _signing!.Value.Credentials,
        });
        return new IssuedToken(token, (int)_options.TokenLifetime.TotalSeconds);
    }

    public async Task<PublicSigningKey[]> GetPublicKeysAsync()
    {
        await RotateIfDueAsync();
        var now = time.GetUtcNow();
        var ordered = _keys.OrderBy(k => k.ActivatesAt).ToList();
        // A key is published until its successor has signed for a token lifetime (plus skew): every token it signed has expired.
        return [.. ordered
            .Where((key, i) => i + 1 >= ordered.Count || ordered[i + 1].ActivatesAt + _options.TokenLifetime + TokenOptions.ClockSkew > now)
            .Select(key => new PublicSigningKey(key.Id, key.PublicKey))];
    }

    /// <summary>The newest key that has activated.</summary>
    private SigningKeyEntity SigningKey(DateTimeOffset now) =>
        _keys.Where(k => k.ActivatesAt <= now).MaxBy(k => k.ActivatesAt) ?? _keys.MinBy(k => k.ActivatesAt)!;

    private async Task RotateIfDueAsync()
    {
        var now = time.GetUtcNow();
        var newest = _keys.MaxBy(k => k.ActivatesAt);
        if (newest is null)
        {
            await CreateAsync(now, now);
        }
        else if (newest.ActivatesAt + _options.KeyRotationPeriod - _options.KeyPublishLead <= now)
        {
            await CreateAsync(now, now + _options.KeyPublishLead);
        }
    }

    private async Task CreateAsync(DateTimeOffset now, DateTimeOffset activatesAt)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new SigningKeyEntity
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            CreatedAt = now,
            ActivatesAt = activatesAt,
            PublicKey = ecdsa.ExportSubjectPublicKeyInfo(),
            ProtectedPrivateKey = await protector.ProtectAsync(ecdsa.ExportPkcs8PrivateKey()),
        };
        await db.InsertAsync(key);
        LogCreated(key.Id, activatesAt);
        // Another activation may have added one too: the database has the whole ring.
        await LoadAsync();
    }

    private async Task LoadAsync() =>
        _keys = await db.ReadAsync(context => context.SigningKeys.AsNoTracking().ToListAsync());

    [LoggerMessage(Level = LogLevel.Information, Message = "Created token signing key {KeyId}; it signs from {ActivatesAt:O}.")]
    private partial void LogCreated(string keyId, DateTimeOffset activatesAt);
}
