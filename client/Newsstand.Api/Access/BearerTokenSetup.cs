using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Newsstand.Records;

namespace Newsstand.Api.Access;

/// <summary>
/// How a bearer token is validated: ES256 only, issuer and audience of this service, signed by a key of the
/// <see cref="SigningKeyCache"/>, within its lifetime by this web client's clock (30 s skew). Long-lived routes also
/// take the token from <c>access_token</c> in the query (<see cref="QueryAccessToken"/>). A token that passed is
/// remembered until it expires (<see cref="ValidatedTokens"/>): a caller's next requests skip the signature check.
/// </summary>
internal sealed class BearerTokenSetup(SigningKeyCache keys, ValidatedTokens validated, TimeProvider time) : IConfigureNamedOptions<JwtBearerOptions>
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        options.MapInboundClaims = false;
        options.TimeProvider = time;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = AccessTokens.Issuer,
            ValidAudience = AccessTokens.Audience,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            NameClaimType = AccessTokens.NameClaim,
            RoleClaimType = AccessTokens.RoleClaim,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = ClockSkew,
            IssuerSigningKeyResolver = (_, _, keyId, _) => keys.Find(keyId) is { } key ? [key] : [],
            LifetimeValidator = (notBefore, expires, _, _) => WithinLifetime(time.GetUtcNow().UtcDateTime, notBefore, expires),
        };
        options.Events = new JwtBearerEvents { OnMessageReceived = ReceivedAsync, OnTokenValidated = Validated };
    }

    /// <summary>The lifetime rule every token is judged by (30 s skew either way); also <see cref="ValidatedTokens"/>' for a token it remembers.</summary>
    public static bool WithinLifetime(DateTime now, DateTime? notBefore, DateTime? expires) =>
        expires is { } end && end + ClockSkew > now && (notBefore is not { } start || start - ClockSkew <= now);

    /// <summary>Takes a long-lived route's query token, and makes sure the token's key id is known (one refresh at most) before it is validated.</summary>
    private async Task ReceivedAsync(MessageReceivedContext context)
    {
        var token = QueryAccessToken.For(context.HttpContext) ?? BearerOf(context.Request.Headers.Authorization.ToString());
        context.Token = token;
        if (token is null)
        {
            return;
        }
        if (validated.Find(token) is { } principal)
        {
            context.Principal = principal;
            context.Success();
            return;
        }
        string? keyId = null;
        try
        {
            keyId = new JsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            // Not a JWT: validation refuses it with invalid_token.
        }
        if (!string.IsNullOrEmpty(keyId))
        {
            try
            {
                await keys.EnsureKnownAsync(keyId, context.HttpContext.RequestAborted);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The cluster cannot say right now: the token is judged by the keys held (an unknown one is refused).
            }
        }
    }

    private Task Validated(TokenValidatedContext context)
    {
        if (context.SecurityToken is JsonWebToken token && context.Principal is { } principal)
        {
            validated.Add(token.EncodedToken, principal, token.ValidFrom == DateTime.MinValue ? null : token.ValidFrom, token.ValidTo);
        }
        return Task.CompletedTask;
    }

    private static string? BearerOf(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
}
