using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A direct-response spec (<c>DirectResponse</c>): the gateway answers with this, and no backend is called.</summary>
public sealed class DirectResponseModel : PolicySpecModel
{
    private JsonObject _source = [];

    public int? Status { get; set; } = 200;

    /// <summary>Empty takes text/plain; charset=utf-8 when there is a body.</summary>
    public string ContentType { get; set; } = string.Empty;

    /// <summary>Sent as typed.</summary>
    public string Body { get; set; } = string.Empty;

    public static DirectResponseModel Read(JsonObject? json) => new()
    {
        _source = SpecJson.Copy(json),
        Status = SpecJson.Number(json, "status"),
        ContentType = SpecJson.Text(json, "contentType"),
        Body = SpecJson.Text(json, "body"),
    };

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        SpecJson.Set(json, "status", Status);
        SpecJson.SetVerbatim(json, "body", Body);
        SpecJson.Set(json, "contentType", ContentType);
        return json;
    }
}
