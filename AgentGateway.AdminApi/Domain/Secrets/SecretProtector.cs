using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Domain.Secrets;

/// <summary>
/// Encrypts tenant secrets at rest with AES-256-GCM under the master key. The associated data binds each ciphertext
/// to its tenant and name, so a ciphertext copied to another row (another tenant's, or another name) fails to
/// decrypt. Each ciphertext records the id of the key that made it; previous master keys still decrypt after a
/// rotation.
/// </summary>
internal sealed class SecretProtector
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;

    private readonly byte[] _currentKey;
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public SecretProtector(IOptions<SecretsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!TryDecodeKey(options.Value.MasterKey, out var current))
        {
            throw new InvalidOperationException("Secrets:MasterKey must be the base64 of exactly 32 bytes; make one with 'openssl rand -base64 32'.");
        }

        _currentKey = current;
        CurrentKeyId = KeyId(current);
        _keys[CurrentKeyId] = current;
        foreach (var previous in options.Value.PreviousMasterKeys)
        {
            if (TryDecodeKey(previous, out var key))
            {
                _keys.TryAdd(KeyId(key), key);
            }
        }
    }

    /// <summary>The id of the key new values are encrypted with: a fingerprint that reveals nothing of the key.</summary>
    public string CurrentKeyId { get; }

    public static bool TryDecodeKey(string? base64, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        var buffer = new byte[KeySize + 3];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written) || written != KeySize)
        {
            return false;
        }

        key = buffer[..KeySize];
        return true;
    }

    /// <summary>The ciphertext of <paramref name="value"/>, bound to the tenant and name of its row.</summary>
    public byte[] Encrypt(Guid tenantId, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        var plaintext = Encoding.UTF8.GetBytes(value);
        var sealedValue = new byte[1 + NonceSize + TagSize + plaintext.Length];
        sealedValue[0] = FormatVersion;
        var nonce = sealedValue.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_currentKey, TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(1 + NonceSize + TagSize), sealedValue.AsSpan(1 + NonceSize, TagSize), AssociatedData(tenantId, name));
        CryptographicOperations.ZeroMemory(plaintext);
        return sealedValue;
    }

    /// <summary>The value of a stored secret; throws <see cref="CryptographicException"/> when it cannot be decrypted.</summary>
    public string Decrypt(Guid tenantId, string name, string keyId, byte[] ciphertext)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(ciphertext);
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new CryptographicException(
                $"Secret '{name}' was encrypted with master key {keyId}, which is neither Secrets:MasterKey nor one of Secrets:PreviousMasterKeys.");
        }

        if (ciphertext.Length < 1 + NonceSize + TagSize || ciphertext[0] != FormatVersion)
        {
            throw new CryptographicException($"Secret '{name}' is not in a format this version can read.");
        }

        var plaintext = new byte[ciphertext.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(ciphertext.AsSpan(1, NonceSize), ciphertext.AsSpan(1 + NonceSize + TagSize), ciphertext.AsSpan(1 + NonceSize, TagSize), plaintext, AssociatedData(tenantId, name));
        var value = Encoding.UTF8.GetString(plaintext);
        CryptographicOperations.ZeroMemory(plaintext);
        return value;
    }

    private static byte[] AssociatedData(Guid tenantId, string name) =>
        Encoding.UTF8.GetBytes($"agentgateway/secret/v1\n{tenantId:D}\n{name}");

    private static string KeyId(byte[] key)
    {
        var label = "agentgateway master key\n"u8;
        Span<byte> input = stackalloc byte[label.Length + KeySize];
        label.CopyTo(input);
        key.CopyTo(input[label.Length..]);
        return "mk-" + Convert.ToHexStringLower(SHA256.HashData(input))[..16];
    }
}
