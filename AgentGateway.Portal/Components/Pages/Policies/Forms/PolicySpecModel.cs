using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A spec as a form edits it: read from JSON, written back to JSON over what was read.</summary>
public abstract class PolicySpecModel
{
    /// <summary>The spec as the form has it now.</summary>
    public abstract JsonObject Write();

    /// <summary>The form of <paramref name="kind"/> filled from <paramref name="spec"/>; null for kinds edited as JSON only.</summary>
    public static PolicySpecModel? For(string kind, JsonObject spec) => kind switch
    {
        PolicyKindCatalog.JwtAuth => JwtAuthModel.Read(spec),
        PolicyKindCatalog.McpAuthentication => McpAuthenticationModel.Read(spec),
        PolicyKindCatalog.ApiKeyAuth => ApiKeyAuthModel.Read(spec),
        PolicyKindCatalog.BackendAuth => BackendAuthModel.Read(spec),
        PolicyKindCatalog.RequestHeaders or PolicyKindCatalog.ResponseHeaders => HeaderModifierModel.Read(spec),
        PolicyKindCatalog.Redirect => RedirectModel.Read(spec),
        PolicyKindCatalog.DirectResponse => DirectResponseModel.Read(spec),
        PolicyKindCatalog.Cors => CorsModel.Read(spec),
        PolicyKindCatalog.Timeouts => TimeoutsModel.Read(spec),
        PolicyKindCatalog.Retry => RetryModel.Read(spec),
        PolicyKindCatalog.LocalRateLimit => LocalRateLimitModel.Read(spec),
        PolicyKindCatalog.RateLimit => DistributedRateLimitModel.Read(spec),
        _ => null,
    };
}
