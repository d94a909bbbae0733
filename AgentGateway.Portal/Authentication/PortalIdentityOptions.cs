namespace AgentGateway.Portal.Authentication;

/// <summary>The issuer and client the Portal signs users in with (<c>Identity</c> section).</summary>
internal sealed class PortalIdentityOptions
{
    public const string SectionName = "Identity";

    public Uri? Authority { get; set; }

    public string ClientId { get; set; } = "agentgateway-portal";

    public string? ClientSecret { get; set; }
}
