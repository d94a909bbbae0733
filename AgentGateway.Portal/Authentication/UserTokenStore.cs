using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;

namespace AgentGateway.Portal.Authentication;

/// <summary>
/// The signed-in users' tokens, by Portal session, kept on the server (not in the auth cookie): in Redis when the
/// Portal has one, so every instance serves every session and a refresh made on one is seen by all, else in this
/// process. Encrypted with the Portal's data-protection keys before they are stored. Signing out removes them, so a
/// copied cookie is worth nothing after; a session whose tokens are gone is signed out.
/// </summary>
internal sealed class UserTokenStore(IDistributedCache cache, IDataProtectionProvider protection)
{
    /// <summary>How long a session's tokens are kept after their last change: the auth cookie's lifetime.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private const string KeyPrefix = "tokens:";

    private readonly IDataProtector _protector = protection.CreateProtector("AgentGateway.Portal.UserTokens");

    public async Task<UserTokens?> GetAsync(string session, CancellationToken cancellationToken)
    {
        var stored = await cache.GetAsync(KeyPrefix + session, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(_protector.Unprotect(stored), UserTokensJsonContext.Default.UserTokens);
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException)
        {
            // Protected with a key this Portal no longer has, or not tokens at all: as good as absent.
            return null;
        }
    }

    public Task SetAsync(string session, UserTokens tokens, CancellationToken cancellationToken) =>
        cache.SetAsync(
            KeyPrefix + session,
            _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(tokens, UserTokensJsonContext.Default.UserTokens)),
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime },
            cancellationToken);

    public Task RemoveAsync(string session, CancellationToken cancellationToken) => cache.RemoveAsync(KeyPrefix + session, cancellationToken);
}

/// <summary>A session's tokens; the ID token goes back to the issuer as the hint of the sign-out.</summary>
internal sealed record UserTokens(string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt, string? IdToken = null);

[System.Text.Json.Serialization.JsonSerializable(typeof(UserTokens))]
internal sealed partial class UserTokensJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
