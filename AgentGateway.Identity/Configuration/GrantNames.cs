using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentGateway.Identity.Configuration;

/// <summary>The grant types a client may be configured with.</summary>
internal static class GrantNames
{
    public static readonly IReadOnlySet<string> Supported = new HashSet<string>(StringComparer.Ordinal)
    {
        GrantTypes.AuthorizationCode,
        GrantTypes.RefreshToken,
        GrantTypes.ClientCredentials,
        GrantTypes.Password,
        GrantTypes.TokenExchange,
    };
}
