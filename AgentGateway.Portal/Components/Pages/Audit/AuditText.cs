using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Audit;

/// <summary>An audit entry's values as the diff compares them: indented JSON, one property per line, in name order.</summary>
public static class AuditText
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>The values as text, or nothing when there are none (before a creation, after a deletion).</summary>
    public static string Values(JsonElement? values)
    {
        if (values is not { ValueKind: JsonValueKind.Object } json)
        {
            return string.Empty;
        }

        var sorted = new JsonObject();
        foreach (var property in json.EnumerateObject().OrderBy(property => property.Name, StringComparer.Ordinal))
        {
            sorted[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return sorted.ToJsonString(s_indented);
    }
}
