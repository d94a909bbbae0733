using AgentGateway.Contracts.V1;
using Google.Protobuf;
using Route = AgentGateway.Contracts.V1.Route;

namespace AgentGateway.AdminApi.Domain.Connections;

/// <summary>What happens to users' connections when the policy they authorized changes or goes, and where their tokens may go.</summary>
internal static class UserConnections
{
    /// <summary>
    /// Whether users' tokens kept under a policy are no use after it changes: it no longer keeps them, names another token
    /// endpoint or client, or attaches to another server (whom the users did not authorize).
    /// </summary>
    public static bool NoLongerServe(IMessage? before, (string Kind, string Name) beforeTarget, IMessage after, (string Kind, string Name) afterTarget) =>
        before is BackendAuth { UserOauth: { } old }
        && (after is not BackendAuth { UserOauth: { } current } || current.TokenUrl != old.TokenUrl || current.ClientId != old.ClientId || beforeTarget != afterTarget);

    /// <summary>
    /// Why users' own tokens may not go out on <paramref name="route"/>; null when they may (or it sends none). A user is
    /// known to the vault as the platform's issuer names them, so a route that sends their tokens must take that issuer's
    /// word alone: a JWT provider naming the platform's issuer with keys of its own could sign any user's name.
    /// </summary>
    public static string? UntrustedCallers(Route route, string? platformIssuer)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Mcp?.Targets.Any(target => target.Auth?.UserOauth is not null) != true)
        {
            return null;
        }

        if (platformIssuer is null)
        {
            return "its MCP servers act as each user (userOauth), and the control plane knows no platform issuer (Identity:Authority) whose users they would be";
        }

        var providers = (route.Policies?.JwtAuth?.Providers ?? []).Concat(route.Policies?.McpAuthentication?.AuthorizationServers ?? []);
        return providers.Any(provider => provider.Issuer.TrimEnd('/') == platformIssuer
                && (provider.Jwks.Length > 0 || (provider.JwksUri.Length > 0 && !provider.JwksUri.StartsWith(platformIssuer + "/", StringComparison.Ordinal))))
            ? $"its MCP servers act as each user (userOauth), and a JWT provider of its policies names the platform's issuer ({platformIssuer}) with keys of its own: users' tokens go only to callers the platform's issuer signed for (leave jwks empty, and jwksUri empty or the issuer's own)"
            : null;
    }
}
