using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A timeouts spec (<c>Timeouts</c>): the whole request's, and each try's at the backend; empty means no limit.</summary>
public sealed class TimeoutsModel : PolicySpecModel
{
    private JsonObject _source = [];

    public int? RequestMs { get; set; }

    public int? BackendRequestMs { get; set; }

    public static TimeoutsModel Read(JsonObject? json) => new()
    {
        _source = SpecJson.Copy(json),
        RequestMs = SpecJson.Number(json, "requestMs"),
        BackendRequestMs = SpecJson.Number(json, "backendRequestMs"),
    };

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        SpecJson.Set(json, "requestMs", RequestMs is 0 ? null : RequestMs);
        SpecJson.Set(json, "backendRequestMs", BackendRequestMs is 0 ? null : BackendRequestMs);
        return json;
    }
}
