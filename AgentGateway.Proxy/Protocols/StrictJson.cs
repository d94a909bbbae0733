using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace AgentGateway.Proxy.Protocols;

/// <summary>
/// Reads a client's JSON strictly, before anything looks inside it: well-formed UTF-8, no lone surrogate in any string
/// or property name, no property twice in an object, at most <see cref="MaxDepth"/> levels. <see cref="JsonNode"/>
/// would otherwise accept such a document and fail later, deep inside request handling, where the failure is a 500
/// instead of the caller's parse error.
/// </summary>
internal static class StrictJson
{
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };
    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// The document in <paramref name="utf8"/>, or null with <paramref name="error"/> saying what is wrong and where
    /// (in the gateway's words, never the parser's).
    /// </summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, out string? error)
    {
        var reader = new Utf8JsonReader(utf8, s_readerOptions);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsText(ref reader))
                {
                    error = $"Parse error: the text at byte {reader.TokenStartIndex + 1} is not valid UTF-8 or holds a lone surrogate.";
                    return null;
                }
            }

            error = null;
            return JsonNode.Parse(utf8, documentOptions: s_documentOptions);
        }
        catch (JsonException exception)
        {
            error = exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
                ? "Parse error: an object names the same property twice."
                : reader.CurrentDepth >= MaxDepth
                    ? $"Parse error: the document is nested deeper than {MaxDepth} levels."
                    : $"Parse error: the body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}).";
            return null;
        }
    }

    /// <summary>Whether the current string decodes to well-formed text.</summary>
    private static bool IsText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            // A reader over one span never has a value sequence.
            return Utf8.IsValid(reader.ValueSpan);
        }

        try
        {
            // Decoding the escapes is what finds a lone "\ud800"; escaped strings are rare enough to afford it.
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
