namespace AgentGateway.AdminApi.Domain.Identity;

/// <summary>The platform's own issuer (<c>Identity:Authority</c>): whom users sign in with, and whose subjects the token vault keeps.</summary>
internal sealed class PlatformIssuerOptions
{
    public const string SectionName = "Identity";

    public Uri? Authority { get; set; }

    /// <summary>The issuer as tokens name it, without a trailing slash; null when none is configured.</summary>
    public string? Issuer => Authority?.AbsoluteUri.TrimEnd('/');
}
