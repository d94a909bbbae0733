using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// Signing keys a test controls, published as a JWKS (with an OpenID configuration pointing at it) by the
/// <see cref="ProbeServer"/>, and tokens signed with them — well-formed, or forged in the ways attackers forge them.
/// </summary>
public sealed class TestJwtIssuer : IDisposable
{
    private readonly Dictionary<string, RSA> _keys = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);

    public TestJwtIssuer()
    {
        AddKey("k1", publish: true);
        AddKey("k2", publish: false);
        AddKey("rogue", publish: false);
    }

    /// <summary>The issuer URL (set once the probe server knows its address).</summary>
    public string Issuer { get; set; } = "https://issuer.test";

    /// <summary>How many times the JWKS was fetched.</summary>
    public int JwksRequests;

    /// <summary>Publishes a key that was held back (the issuer rotates keys).</summary>
    public void Publish(string keyId)
    {
        lock (_lock)
        {
            _published.Add(keyId);
        }
    }

    public string Jwks()
    {
        Interlocked.Increment(ref JwksRequests);
        lock (_lock)
        {
            var keys = new JsonArray();
            foreach (var id in _published)
            {
                var parameters = _keys[id].ExportParameters(false);
                keys.Add(new JsonObject
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = id,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                });
            }

            return new JsonObject { ["keys"] = keys }.ToJsonString();
        }
    }

    /// <summary>The public key of <paramref name="keyId"/> as PEM (what a key-confusion attacker uses as an HMAC secret).</summary>
    public string PublicKeyPem(string keyId) => _keys[keyId].ExportSubjectPublicKeyInfoPem();

    /// <summary>An RS256 token with the usual claims, changed by <paramref name="change"/>.</summary>
    public string Token(string audience, Action<Dictionary<string, object>>? change = null, string keyId = "k1", string? issuer = null, string subject = "alice")
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = issuer ?? Issuer,
            ["sub"] = subject,
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.AddSeconds(-5).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
            ["preferred_username"] = subject,
        };
        change?.Invoke(claims);
        return Sign(claims, keyId);
    }

    public string Sign(Dictionary<string, object> claims, string keyId)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(
            JsonSerializer.Serialize(claims),
            new SigningCredentials(new RsaSecurityKey(_keys[keyId]) { KeyId = keyId }, SecurityAlgorithms.RsaSha256));
    }

    /// <summary>A token whose header says <c>alg: none</c> and that carries no signature.</summary>
    public static string Unsigned(string signedToken)
    {
        var parts = signedToken.Split('.');
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        return $"{header}.{parts[1]}.";
    }

    /// <summary>A token signed with HS256, keyed by the issuer's public RSA key (the classic algorithm confusion).</summary>
    public string HmacWithPublicKey(string signedToken, string keyId = "k1")
    {
        var parts = signedToken.Split('.');
        var header = Base64UrlEncoder.Encode($$"""{"alg":"HS256","typ":"JWT","kid":"{{keyId}}"}""");
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(PublicKeyPem(keyId)), Encoding.ASCII.GetBytes($"{header}.{parts[1]}"));
        return $"{header}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>A validly signed token whose payload was then changed (the signature no longer matches).</summary>
    public static string Tampered(string signedToken)
    {
        var parts = signedToken.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["sub"] = "mallory";
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }

    private void AddKey(string id, bool publish)
    {
        _keys[id] = RSA.Create(2048);
        if (publish)
        {
            _published.Add(id);
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
