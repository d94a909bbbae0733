using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A jwt-auth spec (<c>JwtAuthentication</c>).</summary>
public sealed class JwtAuthModel : PolicySpecModel
{
    private JsonObject _source = [];

    /// <summary>'strict' or 'optional'.</summary>
    public string Mode { get; set; } = "strict";

    public List<JwtProviderModel> Providers { get; } = [];

    public static JwtAuthModel Read(JsonObject? json)
    {
        var model = new JwtAuthModel { _source = SpecJson.Copy(json), Mode = Modes.Read(json) };
        if (json?["providers"] is JsonArray providers)
        {
            model.Providers.AddRange(providers.OfType<JsonObject>().Select(JwtProviderModel.Read));
        }

        return model;
    }

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        Modes.Write(json, _source, Mode);
        json["providers"] = new JsonArray([.. Providers.Select(provider => (JsonNode)provider.Write())]);
        return json;
    }
}
