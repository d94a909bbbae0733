using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Shared;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A cors spec (<c>Cors</c>): which browser origins may call the route, and what they may send and read.</summary>
public sealed class CorsModel : PolicySpecModel
{
    private JsonObject _source = [];

    /// <summary>Comma-separated: exact origins, a wildcard label (https://*.example.com) or *.</summary>
    public string AllowOrigins { get; set; } = string.Empty;

    /// <summary>Comma-separated; empty allows GET, HEAD and POST.</summary>
    public string AllowMethods { get; set; } = string.Empty;

    public string AllowHeaders { get; set; } = string.Empty;

    public string ExposeHeaders { get; set; } = string.Empty;

    public bool AllowCredentials { get; set; }

    public int? MaxAgeSeconds { get; set; }

    public static CorsModel Read(JsonObject? json) => new()
    {
        _source = SpecJson.Copy(json),
        AllowOrigins = TextLists.Join(SpecJson.Strings(json, "allowOrigins")),
        AllowMethods = TextLists.Join(SpecJson.Strings(json, "allowMethods")),
        AllowHeaders = TextLists.Join(SpecJson.Strings(json, "allowHeaders")),
        ExposeHeaders = TextLists.Join(SpecJson.Strings(json, "exposeHeaders")),
        AllowCredentials = SpecJson.Bool(json, "allowCredentials"),
        MaxAgeSeconds = SpecJson.Number(json, "maxAgeSeconds"),
    };

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        SpecJson.SetList(json, "allowOrigins", AllowOrigins);
        SpecJson.SetStrings(json, "allowMethods", [.. TextLists.Split(AllowMethods).Select(method => method.ToUpperInvariant())]);
        SpecJson.SetList(json, "allowHeaders", AllowHeaders);
        SpecJson.SetList(json, "exposeHeaders", ExposeHeaders);
        SpecJson.Set(json, "allowCredentials", AllowCredentials);
        SpecJson.Set(json, "maxAgeSeconds", MaxAgeSeconds is 0 ? null : MaxAgeSeconds);
        return json;
    }
}
