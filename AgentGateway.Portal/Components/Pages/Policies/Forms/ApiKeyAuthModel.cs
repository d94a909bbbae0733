using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>An api-key-auth spec (<c>ApiKeyAuthentication</c> without keys: the tenant's API keys are added by the gateway).</summary>
public sealed class ApiKeyAuthModel : PolicySpecModel
{
    private JsonObject _source = [];

    public string Mode { get; set; } = Modes.Strict;

    /// <summary>The header besides Authorization: Bearer; empty takes X-Api-Key.</summary>
    public string Header { get; set; } = string.Empty;

    public static ApiKeyAuthModel Read(JsonObject? json) =>
        new() { _source = SpecJson.Copy(json), Mode = Modes.Read(json), Header = SpecJson.Text(json, "header") };

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        Modes.Write(json, _source, Mode);
        SpecJson.Set(json, "header", Header);
        return json;
    }
}
