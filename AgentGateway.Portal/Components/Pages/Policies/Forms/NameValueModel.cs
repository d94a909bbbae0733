using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A name and a value (<c>HeaderValue</c>): a header to add or set, or an entry of a rate-limit descriptor.</summary>
public sealed class NameValueModel
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Taken as typed: a header value may start or end with spaces.</summary>
    public string Value { get; set; } = string.Empty;

    /// <summary>The pairs of the array <paramref name="name"/> of <paramref name="json"/>.</summary>
    public static IEnumerable<NameValueModel> ReadAll(JsonObject? json, string name) =>
        json?[name] is JsonArray items
            ? items.OfType<JsonObject>().Select(item => new NameValueModel { Name = SpecJson.Text(item, "name"), Value = SpecJson.Text(item, "value") })
            : [];

    /// <summary>Writes the pairs that have a name or a value (blank rows are left out); none removes the field.</summary>
    public static void WriteAll(JsonObject json, string name, IEnumerable<NameValueModel> pairs)
    {
        var items = pairs.Where(pair => pair.Name.Trim().Length > 0 || pair.Value.Length > 0).Select(pair =>
        {
            var item = new JsonObject();
            SpecJson.Set(item, "name", pair.Name);
            SpecJson.SetVerbatim(item, "value", pair.Value);
            return (JsonNode)item;
        }).ToList();
        if (items.Count == 0)
        {
            json.Remove(name);
        }
        else
        {
            json[name] = new JsonArray([.. items]);
        }
    }
}
