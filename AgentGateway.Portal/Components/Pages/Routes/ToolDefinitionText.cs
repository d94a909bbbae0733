using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Shared;

namespace AgentGateway.Portal.Components.Pages.Routes;

/// <summary>
/// A pinned tool definition as text to read and compare: name and title, the description as its own lines, and the
/// schemas as indented JSON. Characters that render as nothing are written as visible code points.
/// </summary>
internal static class ToolDefinitionText
{
    public static string Render(JsonObject? definition)
    {
        if (definition is null)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var field in new[] { "name", "title" })
        {
            if (definition[field] is JsonValue value)
            {
                text.Append(field).Append(": ").AppendLine(Visible(value.ToString()));
            }
        }

        if (definition["description"] is JsonValue description)
        {
            text.AppendLine("description:");
            foreach (var line in LineDiff.Lines(description.ToString()))
            {
                text.Append("  ").AppendLine(Visible(line));
            }
        }

        foreach (var field in new[] { "inputSchema", "outputSchema" })
        {
            if (definition[field] is { } schema)
            {
                text.Append(field).AppendLine(":");
                foreach (var line in LineDiff.Lines(schema.ToJsonString(JsonEditor.Indented)))
                {
                    text.Append("  ").AppendLine(Visible(line));
                }
            }
        }

        return text.ToString().TrimEnd('\n', '\r');
    }

    /// <summary>Invisible and direction-changing characters (a way to hide instructions) as <c>⟦U+200B⟧</c>.</summary>
    public static string Visible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(IsInvisible))
        {
            return text;
        }

        var visible = new StringBuilder(text.Length + 16);
        foreach (var rune in text.EnumerateRunes())
        {
            if ((rune.IsBmp && IsInvisible((char)rune.Value)) || rune.Value is >= 0xE0000 and <= 0xE007F)
            {
                visible.Append("⟦U+").Append(rune.Value.ToString("X4", CultureInfo.InvariantCulture)).Append('⟧');
            }
            else
            {
                visible.Append(rune.ToString());
            }
        }

        return visible.ToString();
    }

    private static bool IsInvisible(char character) =>
        character is >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2060' and <= '\u2064'
            or >= '\u2066' and <= '\u2069' or '\uFEFF' or '\u00AD' or '\uDB40';
}
