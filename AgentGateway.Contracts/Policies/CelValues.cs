using System.Text.Json;

namespace AgentGateway.Contracts.Policies;

/// <summary>Turns JSON (token claims, metadata) into the values CEL rules see: maps, lists, strings, numbers, booleans.</summary>
public static class CelValues
{
    public static object? FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => FromObject(json),
        JsonValueKind.Array => json.EnumerateArray().Select(FromJson).ToArray(),
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Number => json.TryGetInt64(out var whole) ? whole : json.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public static Dictionary<string, object?> FromObject(JsonElement json)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (json.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in json.EnumerateObject())
            {
                map[property.Name] = FromJson(property.Value);
            }
        }

        return map;
    }
}
