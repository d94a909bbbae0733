using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentGateway.Contracts.Json;

/// <summary>
/// Reads YAML (a superset of JSON) into JSON: mappings become objects, sequences arrays, and plain scalars that look
/// like numbers, booleans or null become those; quoted scalars stay strings. A syntax error (a
/// <see cref="FormatException"/>) names its line and column. Writes JSON as YAML that reads back the same.
/// </summary>
public static partial class YamlJson
{
    /// <summary>How deep mappings and sequences may nest (deeper text is refused before it is built).</summary>
    public const int MaxDepth = 100;

    /// <summary>How many values a document may hold once its aliases are expanded (so that a few aliases of aliases cannot blow up).</summary>
    public const int MaxNodes = 1_000_000;

    /// <summary>How many characters its strings may hold together once its aliases are expanded (a long string aliased many times).</summary>
    public const int MaxCharacters = 16 * 1024 * 1024;

    public static JsonNode? Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            CheckDepth(text);
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            var reason = exception.InnerException?.Message ?? exception.Message;
            throw new FormatException($"line {exception.Start.Line}, column {exception.Start.Column}: {reason}", exception);
        }

        var budget = (Nodes: MaxNodes, Characters: MaxCharacters);
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode, 0, ref budget);
    }

    /// <summary>Reads the text's events (which takes no stack) to refuse nesting deeper than <see cref="MaxDepth"/>.</summary>
    private static void CheckDepth(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart when ++depth > MaxDepth:
                    throw new FormatException($"line {parser.Current.Start.Line}, column {parser.Current.Start.Column}: nested more than {MaxDepth} levels deep");
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    private static JsonNode? Convert(YamlNode node, int depth, ref (int Nodes, int Characters) budget)
    {
        budget.Nodes--;
        budget.Characters -= (node as YamlScalarNode)?.Value?.Length ?? 0;
        if (budget.Nodes < 0 || budget.Characters < 0 || depth > MaxDepth)
        {
            // Aliases can nest what the text does not (an alias of a collection inside itself, too).
            throw new FormatException(
                $"line {node.Start.Line}, column {node.Start.Column}: more than {MaxNodes} values, {MaxCharacters} characters or {MaxDepth} levels once its aliases are expanded");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                return ConvertMapping(mapping, depth, ref budget);
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var child in sequence.Children)
                {
                    array.Add(Convert(child, depth + 1, ref budget));
                }

                return array;
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                return null;
        }
    }

    private static JsonObject ConvertMapping(YamlMappingNode mapping, int depth, ref (int Nodes, int Characters) budget)
    {
        var json = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value
                ?? throw new FormatException($"line {key.Start.Line}, column {key.Start.Column}: keys must be plain names");
            if (json.ContainsKey(name))
            {
                throw new FormatException($"line {key.Start.Line}, column {key.Start.Column}: '{name}' is given twice");
            }

            json[name] = Convert(value, depth + 1, ref budget);
        }

        return json;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when Integer().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => JsonValue.Create(whole),
            _ when Float().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ => JsonValue.Create(value),
        };
    }

    /// <summary>YAML for <paramref name="json"/>, in block style; strings that would read back as another type are quoted.</summary>
    public static string Write(JsonNode? json)
    {
        var stream = new YamlStream(new YamlDocument(ToYaml(json)));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // The document end marker YamlDotNet writes is noise in a file meant for people and diffs.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlNode ToYaml(JsonNode? json) => json switch
    {
        JsonObject map => new YamlMappingNode(map.Select(field => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(field.Key), ToYaml(field.Value)))),
        JsonArray list => new YamlSequenceNode(list.Select(ToYaml)),
        JsonValue value when value.TryGetValue<string>(out var text) => new YamlScalarNode(text)
        {
            Style = text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
                : ConvertScalar(new YamlScalarNode(text)) is JsonValue read && read.TryGetValue<string>(out var same) && same == text ? ScalarStyle.Any : ScalarStyle.DoubleQuoted,
        },
        null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        _ => new YamlScalarNode(json.ToJsonString()) { Style = ScalarStyle.Plain },
    };

    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();
}
