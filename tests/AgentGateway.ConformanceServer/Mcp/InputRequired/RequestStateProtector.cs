using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentGateway.ConformanceServer.Mcp.InputRequired;

/// <summary>
/// Signs the opaque <c>requestState</c> the server hands to the client between rounds, so a state the client altered
/// is recognised and refused. The key lives only as long as the process.
/// </summary>
internal sealed class RequestStateProtector
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Protect(RequestState state)
    {
        var payload = Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(state, RequestStateJsonContext.Default.RequestState));
        return $"{payload}.{Sign(payload)}";
    }

    public bool TryUnprotect(string? protectedState, out RequestState state)
    {
        state = new RequestState(string.Empty);
        var separator = protectedState?.LastIndexOf('.') ?? -1;
        if (protectedState is null || separator <= 0)
        {
            return false;
        }

        var payload = protectedState[..separator];
        var signature = protectedState[(separator + 1)..];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(Sign(payload))))
        {
            return false;
        }

        try
        {
            state = JsonSerializer.Deserialize(Base64UrlDecode(payload), RequestStateJsonContext.Default.RequestState) ?? state;
            return state.Kind.Length > 0;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }

    private string Sign(string payload) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload)));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }
}

/// <summary>What a multi-round call remembers between rounds.</summary>
/// <param name="Kind">Which tool issued the state.</param>
/// <param name="Round">The round that produced the state.</param>
/// <param name="Name">A value collected in an earlier round.</param>
internal sealed record RequestState(string Kind, int Round = 1, string? Name = null);

[JsonSerializable(typeof(RequestState))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class RequestStateJsonContext : JsonSerializerContext;
