using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using AgentGateway.Proxy.Pipeline.Snapshots;

namespace AgentGateway.Proxy.Kinds.Mcp.Sessions;

/// <summary>
/// Seals <see cref="McpSessionState"/> into the opaque <c>Mcp-Session-Id</c> handed to clients and opens it again:
/// AES-256-GCM with the session keys of the running config (shared by every proxy), so an id works on any replica,
/// survives restarts, and cannot be read, forged or altered by the client. Layout before base64url:
/// <c>format(1) | key tag(4) | nonce(12) | tag(16) | ciphertext</c>.
/// </summary>
internal sealed partial class McpSessionTokens(SnapshotStore snapshots, TimeProvider timeProvider, ILogger<McpSessionTokens> logger)
{
    private const byte Format = 1;
    private const byte StateFormat = 2;

    // Opened ids of busy sessions, so a request does not decrypt its id again; bounded, and tied to the key ring that
    // opened them so a rotation that drops a key also drops what it opened.
    private const int CacheLimit = 8192;
    private const int HeaderSize = 1 + 4 + NonceSize + TagSize;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    // Used only when the config carries no session keys: sessions then live as long as this process.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (SessionKeyRing Keys, McpSessionState State)> _opened = new(StringComparer.Ordinal);

    private readonly Lazy<SessionKeyRing> _ephemeral = new(() =>
    {
        LogEphemeralKey(logger);
        return SessionKeyRing.Create([new SessionKeyRing.Key("ephemeral", RandomNumberGenerator.GetBytes(32), Primary: true)]);
    });

    /// <summary>A short, stable fingerprint of <paramref name="value"/> for naming local state without spelling out who it belongs to.</summary>
    public static string Fingerprint(string value) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..16];

    public string Protect(McpSessionState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Seal(JsonSerializer.SerializeToUtf8Bytes(state, McpSessionJsonContext.Default.McpSessionState), Format);
    }

    /// <summary>Opens <paramref name="token"/>; false when it is malformed, forged, altered, sealed with an unknown key or expired.</summary>
    public bool TryUnprotect(string token, out McpSessionState state)
    {
        ArgumentNullException.ThrowIfNull(token);
        var keys = Keys;
        if (_opened.TryGetValue(token, out var opened) && ReferenceEquals(opened.Keys, keys))
        {
            state = opened.State;
            return state.ExpiresAt > timeProvider.GetUtcNow().ToUnixTimeSeconds();
        }

        state = null!;
        try
        {
            if (!TryUnseal(token, keys, Format, out var plaintext)
                || JsonSerializer.Deserialize(plaintext, McpSessionJsonContext.Default.McpSessionState) is not { } opening
                || opening.ExpiresAt <= timeProvider.GetUtcNow().ToUnixTimeSeconds())
            {
                return false;
            }

            state = opening;
        }
        catch (JsonException)
        {
            return false;
        }

        if (_opened.Count >= CacheLimit)
        {
            _opened.Clear();
        }

        _opened[token] = (keys, state);
        return true;
    }

    /// <summary>Seals other gateway state handed to clients (the state of a call waiting for the client's input).</summary>
    public string ProtectState(byte[] plaintext) => Seal(plaintext, StateFormat);

    public bool TryUnprotectState(string token, out byte[] plaintext) => TryUnseal(token, Keys, StateFormat, out plaintext);

    private string Seal(byte[] plaintext, byte format)
    {
        var key = Keys.Primary;
        var sealedBytes = new byte[HeaderSize + plaintext.Length];
        sealedBytes[0] = format;
        BinaryPrimitives.WriteUInt32BigEndian(sealedBytes.AsSpan(1, 4), key.Tag);
        var nonce = sealedBytes.AsSpan(5, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(HeaderSize), sealedBytes.AsSpan(5 + NonceSize, TagSize), sealedBytes.AsSpan(0, 5));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>Opens a sealed token of <paramref name="format"/> (the format byte is authenticated, so one kind never passes for another).</summary>
    private static bool TryUnseal(string token, SessionKeyRing keys, byte format, out byte[] plaintext)
    {
        plaintext = [];
        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return false;
        }

        if (sealedBytes.Length <= HeaderSize || sealedBytes[0] != format
            || keys.Find(BinaryPrimitives.ReadUInt32BigEndian(sealedBytes.AsSpan(1, 4))) is not { } key)
        {
            return false;
        }

        var opened = new byte[sealedBytes.Length - HeaderSize];
        try
        {
            using var aes = new AesGcm(key.Material, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(5, NonceSize), sealedBytes.AsSpan(HeaderSize), sealedBytes.AsSpan(5 + NonceSize, TagSize), opened, sealedBytes.AsSpan(0, 5));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        plaintext = opened;
        return true;
    }

    private SessionKeyRing Keys => snapshots.Current?.SessionKeys is { } ring ? ring : _ephemeral.Value;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The gateway config has no session keys: MCP session ids are sealed with a key of this process only, so sessions end when it restarts and do not move between replicas")]
    private static partial void LogEphemeralKey(ILogger logger);
}
