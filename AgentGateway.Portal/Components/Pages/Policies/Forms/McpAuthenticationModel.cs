using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Shared;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>An mcp-authentication spec (<c>McpAuthentication</c>); operation scopes stay as the JSON has them.</summary>
public sealed class McpAuthenticationModel : PolicySpecModel
{
    private JsonObject _source = [];

    public string Mode { get; set; } = Modes.Strict;

    /// <summary>The route's canonical URI; empty derives it from the request.</summary>
    public string Resource { get; set; } = string.Empty;

    public List<JwtProviderModel> AuthorizationServers { get; } = [];

    public string ScopesSupported { get; set; } = string.Empty;

    public string RequiredScopes { get; set; } = string.Empty;

    public string ResourceName { get; set; } = string.Empty;

    public static McpAuthenticationModel Read(JsonObject? json)
    {
        var model = new McpAuthenticationModel
        {
            _source = SpecJson.Copy(json),
            Mode = Modes.Read(json),
            Resource = SpecJson.Text(json, "resource"),
            ScopesSupported = TextLists.Join(SpecJson.Strings(json, "scopesSupported")),
            RequiredScopes = TextLists.Join(SpecJson.Strings(json, "requiredScopes")),
            ResourceName = SpecJson.Text(json, "resourceName"),
        };
        if (json?["authorizationServers"] is JsonArray servers)
        {
            model.AuthorizationServers.AddRange(servers.OfType<JsonObject>().Select(JwtProviderModel.Read));
        }

        return model;
    }

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        Modes.Write(json, _source, Mode);
        SpecJson.Set(json, "resource", Resource);
        json["authorizationServers"] = new JsonArray([.. AuthorizationServers.Select(server => (JsonNode)server.Write())]);
        SpecJson.SetList(json, "scopesSupported", ScopesSupported);
        SpecJson.SetList(json, "requiredScopes", RequiredScopes);
        SpecJson.Set(json, "resourceName", ResourceName);
        return json;
    }
}
