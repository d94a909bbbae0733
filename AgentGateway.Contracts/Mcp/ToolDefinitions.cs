using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentGateway.Contracts.Mcp;

/// <summary>
/// What a tool pin covers: the canonical form of a tool's definition (name, title, description, input and output
/// schemas, with object keys sorted), its SHA-256, and the hidden-instruction patterns a definition must not carry.
/// Both planes use it, so a proxy and the control plane agree on what "the same definition" is.
/// </summary>
public static partial class ToolDefinitions
{
    private static readonly string[] s_pinnedFields = ["name", "title", "description", "inputSchema", "outputSchema"];

    /// <summary>The canonical JSON of the pinned part of <paramref name="tool"/> (as the target listed it).</summary>
    public static string Canonical(JsonObject tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var field in s_pinnedFields)
            {
                if (tool[field] is { } value)
                {
                    writer.WritePropertyName(field);
                    WriteCanonical(writer, value);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="Canonical"/>.</summary>
    public static string Hash(JsonObject tool) => HashCanonical(Canonical(tool));

    /// <summary>Lower-case hex SHA-256 of a canonical definition.</summary>
    public static string HashCanonical(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// The hidden-instruction patterns in the tool's text (description, title, and the descriptions inside its
    /// schemas): instructions aimed at the model rather than the user, invisible characters, smuggled payloads.
    /// </summary>
    public static IReadOnlyList<string> Findings(JsonObject tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var findings = new List<string>();
        foreach (var text in Texts(tool))
        {
            foreach (var (pattern, finding) in s_patterns)
            {
                if (!findings.Contains(finding) && pattern.IsMatch(text))
                {
                    findings.Add(finding);
                }
            }

            if (!findings.Contains(InvisibleFinding) && text.Any(IsInvisible))
            {
                findings.Add(InvisibleFinding);
            }
        }

        return findings;
    }

    private const string InvisibleFinding = "invisible or direction-changing characters";

    private static readonly (Regex Pattern, string Finding)[] s_patterns =
    [
        (InstructionTag(), "an instruction tag such as <IMPORTANT> or <system>"),
        (IgnoreInstructions(), "asks to ignore or override previous instructions"),
        (HideFromUser(), "asks to keep something from the user"),
        (SensitiveFiles(), "refers to credentials or private key files"),
        (OtherTools(), "tells the model how to use other tools"),
        (Exfiltration(), "asks to pass data along in a hidden parameter or URL"),
        (EncodedBlob(), "carries a long encoded payload"),
    ];

    private static IEnumerable<string> Texts(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key is "description" or "title" && value is JsonValue text && text.TryGetValue<string>(out var content))
                    {
                        yield return content;
                    }
                    else
                    {
                        foreach (var nested in Texts(value))
                        {
                            yield return nested;
                        }
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var nested in Texts(item))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }

    private static bool IsInvisible(char character) =>
        character is >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2060' and <= '\u2064'
            or >= '\u2066' and <= '\u2069' or '\uFEFF' or '\u00AD'
        // The high surrogate of Unicode's tag characters (U+E0000-U+E007F), which render as nothing.
        || character == '\uDB40';

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteCanonical(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    [GeneratedRegex(@"<\s*/?\s*(important|system|instructions?|secret|hidden|admin|assistant)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex InstructionTag();

    [GeneratedRegex(@"\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|other|system)\b.{0,20}\b(instructions?|prompts?|rules|guidelines)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, 1000)]
    private static partial Regex IgnoreInstructions();

    [GeneratedRegex(@"\b(do\s+not|don'?t|never|without)\b.{0,30}\b(tell|telling|inform|informing|mention|mentioning|reveal|revealing|show|showing|notify|notifying|alert|alerting)\b.{0,20}\b(the\s+)?user", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, 1000)]
    private static partial Regex HideFromUser();

    [GeneratedRegex(@"(~/\.ssh|id_rsa|id_ed25519|\.aws/credentials|\.env\b|/etc/passwd|/etc/shadow|\.npmrc|\.netrc|mcp\.json|private[_ ]key)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SensitiveFiles();

    [GeneratedRegex(@"\b(when|whenever|before|after)\b.{0,40}\b(call|calling|use|using|invoke|invoking)\b.{0,40}\b(any\s+other|another|other)\s+tools?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, 1000)]
    private static partial Regex OtherTools();

    [GeneratedRegex(@"\b(pass|send|include|append|add|put)\b.{0,40}\b(as|in|into|to)\b.{0,20}\b(the\s+)?(sidenote|side\s+note|hidden|extra|note|comment)\s+(parameter|field|argument)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, 1000)]
    private static partial Regex Exfiltration();

    [GeneratedRegex(@"[A-Za-z0-9+/=_-]{200,}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex EncodedBlob();
}
