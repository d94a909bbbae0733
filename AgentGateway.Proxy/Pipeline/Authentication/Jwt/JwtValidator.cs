using System.Collections.Concurrent;
using System.Text.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentGateway.Proxy.Pipeline.Authentication.Jwt;

/// <summary>
/// Validates a bearer JWT against the issuers a route trusts: the issuer picks the provider, whose keys must have
/// signed it with an asymmetric algorithm (so <c>alg: none</c> and HMAC-with-a-public-key confusion never pass); the
/// audience, lifetime (within the clock skew) and required claims are checked.
/// </summary>
/// <remarks>
/// A token that passed is remembered (as Envoy's <c>jwt_cache_config</c> does) with the provider instance and the
/// audiences it passed for, until its <c>exp</c> or <see cref="PolicyOptions.JwtCacheTime"/>, whichever is first: the
/// same token again skips the signature check. A config change brings new provider instances, so nothing verified
/// under the old config is taken for the new one. Only valid tokens are remembered.
/// </remarks>
internal sealed class JwtValidator(JwtKeyCache keys, Microsoft.Extensions.Options.IOptions<PolicyOptions> options, TimeProvider time)
{
    private static readonly string[] s_algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    /// <param name="audiences">When not null, the audiences the token must name instead of each provider's own.</param>
    public async ValueTask<JwtValidation> ValidateAsync(string token, IReadOnlyList<JwtProvider> providers, IReadOnlyList<string>? audiences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(token);
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(token, out var verified) && verified.StillHolds(providers, audiences, now))
        {
            return verified.Validation;
        }

        var validation = await VerifyAsync(token, providers, audiences, cancellationToken);
        if (validation.IsValid)
        {
            Remember(token, validation, audiences, now);
        }

        return validation;
    }

    private void Remember(string token, JwtValidation validation, IReadOnlyList<string>? audiences, DateTimeOffset now)
    {
        var settings = options.Value;
        var exp = validation.Claims.GetValueOrDefault("exp") switch
        {
            long whole => whole,
            double number when number is > 0 and < 253402300799 => (long)number,
            _ => 0L,
        };
        if (settings.JwtCacheSize <= 0 || exp <= 0)
        {
            return;
        }

        var until = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (until > now + settings.JwtCacheTime)
        {
            until = now + settings.JwtCacheTime;
        }

        if (_verified.Count >= settings.JwtCacheSize)
        {
            // Full: start again rather than track recency on every hit. Only tokens that verified get here.
            _verified.Clear();
        }

        _verified[token] = new Verified(validation, audiences, until);
    }

    private async Task<JwtValidation> VerifyAsync(string token, IReadOnlyList<JwtProvider> providers, IReadOnlyList<string>? audiences, CancellationToken cancellationToken)
    {
        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return JwtValidation.Invalid("the token is not a well-formed JWT");
        }

        var provider = providers.FirstOrDefault(candidate => string.Equals(candidate.Issuer, jwt.Issuer, StringComparison.Ordinal));
        if (provider is null)
        {
            return JwtValidation.Invalid($"tokens of issuer '{jwt.Issuer}' are not accepted here");
        }

        var expected = audiences ?? provider.Audiences;
        var result = await ValidateAsync(token, provider, expected, refresh: false, cancellationToken);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Perhaps the issuer rotated its keys: fetch them again and retry once.
            result = await ValidateAsync(token, provider, expected, refresh: true, cancellationToken);
        }

        if (!result.IsValid)
        {
            return JwtValidation.Invalid(Describe(result.Exception));
        }

        var claims = CelValues.FromObject(ReadPayload(jwt));
        foreach (var requirement in provider.RequiredClaims)
        {
            if (!Satisfies(claims.GetValueOrDefault(requirement.Claim), requirement.Values))
            {
                return JwtValidation.Invalid($"the token's '{requirement.Claim}' claim is not one of the accepted values");
            }
        }

        return new JwtValidation(true, null, provider, claims, ReadScopes(claims));
    }

    private async Task<TokenValidationResult> ValidateAsync(string token, JwtProvider provider, IReadOnlyList<string> audiences, bool refresh, CancellationToken cancellationToken)
    {
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = provider.Issuer,
            ValidateAudience = audiences.Count > 0,
            ValidAudiences = audiences,
            IssuerSigningKeys = await keys.GetKeysAsync(provider, refresh, cancellationToken),
            ValidAlgorithms = s_algorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(provider.ClockSkewSeconds > 0 ? provider.ClockSkewSeconds : 60),
            TryAllIssuerSigningKeys = true,
        };
        return await _handler.ValidateTokenAsync(token, parameters);
    }

    private static JsonElement ReadPayload(JsonWebToken jwt)
    {
        var json = Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static bool Satisfies(object? claim, IReadOnlyCollection<string> values) => claim switch
    {
        string text => values.Contains(text),
        object?[] items => items.OfType<string>().Any(values.Contains),
        bool flag => values.Contains(flag ? "true" : "false"),
        long or double => values.Contains(Convert.ToString(claim, System.Globalization.CultureInfo.InvariantCulture)!),
        _ => false,
    };

    private static string[] ReadScopes(Dictionary<string, object?> claims) => claims.GetValueOrDefault("scope") switch
    {
        string scope => scope.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        _ => claims.GetValueOrDefault("scp") switch
        {
            string scp => scp.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            object?[] items => [.. items.OfType<string>()],
            _ => [],
        },
    };

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenNoExpirationException => "the token has no expiry",
        SecurityTokenInvalidAudienceException => "the token was not issued for this resource (audience)",
        SecurityTokenInvalidIssuerException => "the token's issuer is not accepted",
        SecurityTokenInvalidAlgorithmException => "the token's signing algorithm is not accepted",
        SecurityTokenSignatureKeyNotFoundException => "the token was signed with a key the issuer does not publish",
        SecurityTokenInvalidSignatureException => "the token's signature is invalid",
        SecurityTokenMalformedException => "the token is not a well-formed JWT",
        null => "the token is invalid",
        _ => "the token is invalid",
    };
}

/// <summary>A token that verified: for which provider (by instance) and audiences, and until when.</summary>
internal sealed record Verified(JwtValidation Validation, IReadOnlyList<string>? Audiences, DateTimeOffset Until)
{
    public bool StillHolds(IReadOnlyList<JwtProvider> providers, IReadOnlyList<string>? audiences, DateTimeOffset now)
    {
        if (now >= Until || !SameAudiences(audiences))
        {
            return false;
        }

        foreach (var provider in providers)
        {
            if (ReferenceEquals(provider, Validation.Provider))
            {
                return true;
            }
        }

        return false;
    }

    private bool SameAudiences(IReadOnlyList<string>? audiences)
    {
        if (audiences is null || Audiences is null)
        {
            return audiences is null && Audiences is null;
        }

        if (audiences.Count != Audiences.Count)
        {
            return false;
        }

        for (var i = 0; i < audiences.Count; i++)
        {
            if (!string.Equals(audiences[i], Audiences[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The outcome of validating one token.</summary>
internal sealed record JwtValidation(bool IsValid, string? Error, JwtProvider? Provider, Dictionary<string, object?> Claims, IReadOnlyList<string> Scopes)
{
    public static JwtValidation Invalid(string error) => new(false, error, null, new Dictionary<string, object?>(StringComparer.Ordinal), []);
}
