namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A claim a token must carry with one of some values.</summary>
public sealed class ClaimRequirementModel
{
    public string Claim { get; set; } = string.Empty;

    /// <summary>The accepted values, comma-separated.</summary>
    public string Values { get; set; } = string.Empty;
}
