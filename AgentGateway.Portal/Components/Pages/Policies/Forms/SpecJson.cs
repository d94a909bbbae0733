using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Shared;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>
/// Reading and writing the fields of a spec (proto3 JSON, camelCase names) that a form edits. A form writes over a
/// copy of what it read, so fields it does not show survive a round trip.
/// </summary>
internal static class SpecJson
{
    public static JsonObject Copy(JsonObject? source) => source?.DeepClone() as JsonObject ?? [];

    public static JsonObject? Object(JsonObject? source, string name) => source?[name] as JsonObject;

    public static string Text(JsonObject? source, string name) =>
        source?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : string.Empty;

    public static int? Number(JsonObject? source, string name) =>
        source?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number) ? number
        : source?[name] is JsonValue text && text.GetValueKind() == JsonValueKind.String && int.TryParse(text.GetValue<string>(), out var parsed) ? parsed
        : null;

    public static bool Bool(JsonObject? source, string name) =>
        source?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    /// <summary>A list of whole numbers (e.g. status codes); items that are not numbers are left out.</summary>
    public static List<int> Numbers(JsonObject? source, string name) =>
        source?[name] is JsonArray array
            ? [.. array.OfType<JsonValue>().Select(item => item.GetValueKind() == JsonValueKind.Number && item.TryGetValue<int>(out var number) ? number : (int?)null).OfType<int>()]
            : [];

    public static List<string> Strings(JsonObject? source, string name) =>
        source?[name] is JsonArray array ? [.. array.OfType<JsonValue>().Where(item => item.GetValueKind() == JsonValueKind.String).Select(item => item.GetValue<string>())] : [];

    /// <summary>The name a <c>SecretValue</c> field references (<c>{"secretRef": "name"}</c>), or null.</summary>
    public static string? SecretRef(JsonObject? source, string name)
    {
        var reference = Text(Object(source, name), "secretRef");
        return reference.Length == 0 ? null : reference;
    }

    public static void Set(JsonObject target, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            target.Remove(name);
        }
        else
        {
            target[name] = value.Trim();
        }
    }

    /// <summary>Sets a value as typed, spaces included (a header prefix such as "Bearer ").</summary>
    public static void SetVerbatim(JsonObject target, string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            target.Remove(name);
        }
        else
        {
            target[name] = value;
        }
    }

    public static void Set(JsonObject target, string name, int? value)
    {
        if (value is { } number)
        {
            target[name] = number;
        }
        else
        {
            target.Remove(name);
        }
    }

    /// <summary>Sets a flag; false (proto3's default) removes the field.</summary>
    public static void Set(JsonObject target, string name, bool value)
    {
        if (value)
        {
            target[name] = true;
        }
        else
        {
            target.Remove(name);
        }
    }

    /// <summary>Sets a list of numbers; an empty list removes the field.</summary>
    public static void SetNumbers(JsonObject target, string name, IReadOnlyList<int> numbers)
    {
        if (numbers.Count == 0)
        {
            target.Remove(name);
        }
        else
        {
            target[name] = new JsonArray([.. numbers.Select(number => (JsonNode)number)]);
        }
    }

    /// <summary>
    /// Sets a list of numbers from comma- or line-separated text; an item that is not a whole number is written as
    /// typed, so AdminApi's error names it. An empty list removes the field.
    /// </summary>
    public static void SetNumberList(JsonObject target, string name, string? text)
    {
        var items = TextLists.Split(text);
        if (items.Count == 0)
        {
            target.Remove(name);
        }
        else
        {
            target[name] = new JsonArray([.. items.Select(item => int.TryParse(item, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number) ? (JsonNode)number : item)]);
        }
    }

    /// <summary>Sets a list of strings; an empty list removes the field.</summary>
    public static void SetStrings(JsonObject target, string name, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            target.Remove(name);
        }
        else
        {
            target[name] = new JsonArray([.. items.Select(item => (JsonNode)item)]);
        }
    }

    /// <summary>Sets a list from comma- or line-separated text; an empty list removes the field.</summary>
    public static void SetList(JsonObject target, string name, string? text)
    {
        var items = TextLists.Split(text);
        if (items.Count == 0)
        {
            target.Remove(name);
        }
        else
        {
            target[name] = new JsonArray([.. items.Select(item => (JsonNode)item)]);
        }
    }

    public static void SetSecret(JsonObject target, string name, string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            target.Remove(name);
        }
        else
        {
            target[name] = new JsonObject { ["secretRef"] = secret };
        }
    }
}
