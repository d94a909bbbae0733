using System.Text;
using System.Text.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentGateway.Proxy.Policies.Authentication.Jwt;

/// <summary>
/// Validates a bearer JWT against the issuers a route trusts: the issuer picks the provider, whose keys must have
/// signed it with an asymmetric algorithm (so <c>alg: none</c> and HMAC-with-a-public-key confusion never pass); the
/// audience, lifetime (within the clock skew) and required claims are checked.
/// </summary>
internal sealed class JwtValidator(JwtKeyCache keys)
{
    private static readonly string[] s_algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <param name="audiences">When not null, the audiences the token must name instead of each provider's own.</param>
    public async Task<JwtValidation> ValidateAsync(string token, IReadOnlyList<JwtProvider> providers, IReadOnlyList<string>? audiences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(providers);
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

/// <summary>The outcome of validating one token.</summary>
internal sealed record JwtValidation(bool IsValid, string? Error, JwtProvider? Provider, Dictionary<string, object?> Claims, IReadOnlyList<string> Scopes)
{
    public static JwtValidation Invalid(string error) => new(false, error, null, new Dictionary<string, object?>(StringComparer.Ordinal), []);
}
