namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>One descriptor sent to an Envoy rate-limit service: its key=value entries, values may name request data (%client_ip%).</summary>
public sealed class DescriptorModel(List<NameValueModel> entries)
{
    public DescriptorModel()
        : this([])
    {
    }

    public List<NameValueModel> Entries { get; } = entries;
}
