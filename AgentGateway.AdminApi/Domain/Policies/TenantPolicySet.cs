using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts.Policies.Kinds;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>A tenant's policies by attachment, and the precedence between attachments.</summary>
internal sealed class TenantPolicySet
{
    private readonly Dictionary<(string Kind, string TargetKind, string TargetName), ParsedPolicy> _byAttachment = [];
    private readonly List<Policy> _unreadable = [];

    public TenantPolicySet(IEnumerable<Policy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        foreach (var policy in policies)
        {
            if (ParsedPolicy.From(policy) is { } parsed)
            {
                var name = policy.TargetKind == PolicyTargets.Tenant ? string.Empty : policy.TargetName;
                _byAttachment[(policy.Kind, policy.TargetKind, name)] = parsed;
            }
            else
            {
                _unreadable.Add(policy);
            }
        }
    }

    public static TenantPolicySet Empty { get; } = new([]);

    /// <summary>
    /// The stored policies that could not be read back (an unknown kind, or a spec this version cannot parse) and are
    /// attached to the tenant, to <paramref name="route"/> or to one of <paramref name="servers"/>: such a route must
    /// not be served as if they were not there. The same for its agent and LLM providers.
    /// </summary>
    public IEnumerable<Policy> UnreadableFor(string route, IReadOnlyCollection<string> servers, string? agent = null, IReadOnlyCollection<string>? llmProviders = null) =>
        _unreadable.Where(policy =>
            policy.TargetKind == PolicyTargets.Tenant
            || (policy.TargetKind == PolicyTargets.Route && policy.TargetName == route)
            || (policy.TargetKind == PolicyTargets.McpServer && servers.Contains(policy.TargetName))
            || (policy.TargetKind == PolicyTargets.Agent && policy.TargetName == agent)
            || (policy.TargetKind == PolicyTargets.LlmProvider && llmProviders is not null && llmProviders.Contains(policy.TargetName)));

    /// <summary>A route-level kind (caller side or traffic) for a route: the route's own policy, else the tenant's.</summary>
    public ParsedPolicy? ForRoute(string kind, string route) =>
        Find(kind, PolicyTargets.Route, route) ?? Find(kind, PolicyTargets.Tenant, string.Empty);

    /// <summary>A backend kind for one target of a route: the MCP server's policy, else the route's, else the tenant's.</summary>
    public ParsedPolicy? ForTarget(string kind, string route, string server) =>
        Find(kind, PolicyTargets.McpServer, server) ?? ForRoute(kind, route);

    /// <summary>A backend kind for an A2A route's agent: the agent's policy, else the route's, else the tenant's.</summary>
    public ParsedPolicy? ForAgent(string kind, string route, string agent) =>
        Find(kind, PolicyTargets.Agent, agent) ?? ForRoute(kind, route);

    /// <summary>A backend kind for one provider of an LLM route: the provider's policy, else the route's, else the tenant's.</summary>
    public ParsedPolicy? ForLlmProvider(string kind, string route, string provider) =>
        Find(kind, PolicyTargets.LlmProvider, provider) ?? ForRoute(kind, route);

    private ParsedPolicy? Find(string kind, string targetKind, string targetName) =>
        _byAttachment.GetValueOrDefault((kind, targetKind, targetName));
}
