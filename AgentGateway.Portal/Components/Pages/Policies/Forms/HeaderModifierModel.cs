using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Shared;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A request-headers or response-headers spec (<c>HeaderModifier</c>): headers added to, set on and removed from the message.</summary>
public sealed class HeaderModifierModel : PolicySpecModel
{
    private JsonObject _source = [];

    /// <summary>Appended to the values the header already has.</summary>
    public List<NameValueModel> Add { get; } = [];

    /// <summary>Replace the header's values.</summary>
    public List<NameValueModel> Set { get; } = [];

    /// <summary>Header names removed, comma-separated.</summary>
    public string Remove { get; set; } = string.Empty;

    public static HeaderModifierModel Read(JsonObject? json)
    {
        var model = new HeaderModifierModel { _source = SpecJson.Copy(json), Remove = TextLists.Join(SpecJson.Strings(json, "remove")) };
        model.Add.AddRange(NameValueModel.ReadAll(json, "add"));
        model.Set.AddRange(NameValueModel.ReadAll(json, "set"));
        return model;
    }

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        NameValueModel.WriteAll(json, "add", Add);
        NameValueModel.WriteAll(json, "set", Set);
        SpecJson.SetList(json, "remove", Remove);
        return json;
    }
}
