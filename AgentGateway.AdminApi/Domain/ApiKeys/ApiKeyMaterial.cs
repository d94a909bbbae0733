using System.Security.Cryptography;
using System.Text;

namespace AgentGateway.AdminApi.Domain.ApiKeys;

/// <summary>New API keys: <c>agk_</c> and the base64url of 32 random bytes (43 characters), and what is kept of them.</summary>
internal static class ApiKeyMaterial
{
    public const string KeyPrefix = "agk_";

    /// <summary>How much of the key is kept to recognise it by.</summary>
    public const int DisplayLength = 12;

    public static (string Key, string Prefix, string Sha256) Generate()
    {
        var key = KeyPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (key, key[..DisplayLength], Hash(key));
    }

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8, as proxies compute it.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
