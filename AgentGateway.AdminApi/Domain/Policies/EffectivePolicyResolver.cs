using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.ApiKeys;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using ApiKey = AgentGateway.AdminApi.Data.Entities.ApiKey;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>
/// Resolves which policies apply to a route. Route level (caller side and traffic): for each kind, the route's own
/// policy replaces the tenant's. Backend side: for each kind and backend, the MCP server's (or the A2A route's
/// agent's, or the LLM route's provider's) policy replaces the route's, which replaces the tenant's; an HTTP route's destinations take the route's,
/// else the tenant's. Role bindings add MCP authorization rules to MCP routes only (their rules speak of MCP
/// operations); A2A routes are authorized by an explicit a2a-authorization policy. Specs are copies, so resolving
/// secrets in them changes nothing stored.
/// </summary>
internal static class EffectivePolicyResolver
{
    public static EffectiveRoutePolicies Resolve(TenantSecurity security, GatewayRoute route)
    {
        ArgumentNullException.ThrowIfNull(security);
        ArgumentNullException.ThrowIfNull(route);
        var policies = security.Policies;
        var parts = new List<EffectivePolicy>();
        var ignored = new List<IgnoredPolicy>();
        foreach (var kind in PolicyKinds.RouteLevel)
        {
            if (policies.ForRoute(kind.Name, route.Name) is not { } policy)
            {
                continue;
            }

            if (!kind.AppliesTo(route.Kind))
            {
                // A tenant's policy of a kind that does nothing on this kind of route simply does not apply to it; one
                // attached to the route itself (before such policies were refused) is reported, not sent.
                if (policy.Entity.TargetKind == PolicyTargets.Route)
                {
                    ignored.Add(new IgnoredPolicy(kind.Name, policy, kind.NoEffect(PolicyTargets.Route, route.Kind)!));
                }

                continue;
            }

            var spec = policy.CloneSpec();
            if (spec is ApiKeyAuthentication apiKeys)
            {
                apiKeys.Keys.Add(security.ApiKeys.Where(key => key.Routes.Count == 0 || key.Routes.Contains(route.Name)).Select(ToMessage));
            }

            parts.Add(new EffectivePolicy(kind.Name, policy, spec, []));
        }

        if (route.Kind == RouteKinds.Mcp
            && Authorization(security, route, parts.FirstOrDefault(part => part.Kind == PolicyKinds.McpAuthorization)) is { } authorization)
        {
            parts.RemoveAll(part => part.Kind == PolicyKinds.McpAuthorization);
            parts.Add(authorization);
        }

        var targets = new List<EffectiveTarget>();
        if (route.Kind == RouteKinds.Http)
        {
            targets.Add(new EffectiveTarget(
                route.Name,
                Backend(policies.ForRoute(PolicyKinds.BackendAuth, route.Name)),
                Backend(policies.ForRoute(PolicyKinds.BackendTls, route.Name))));
        }
        else if (route.Kind == RouteKinds.A2a && route.Agent is { } agent)
        {
            targets.Add(new EffectiveTarget(
                agent.Name,
                Backend(policies.ForAgent(PolicyKinds.BackendAuth, route.Name, agent.Name)),
                Backend(policies.ForAgent(PolicyKinds.BackendTls, route.Name, agent.Name))));
        }

        else if (route.Kind == RouteKinds.Llm)
        {
            foreach (var provider in RouteDefinitions.Of(route).Llm?.Providers ?? [])
            {
                targets.Add(new EffectiveTarget(
                    provider.Name,
                    Backend(policies.ForLlmProvider(PolicyKinds.BackendAuth, route.Name, provider.Name)),
                    Backend(policies.ForLlmProvider(PolicyKinds.BackendTls, route.Name, provider.Name))));
            }
        }

        foreach (var target in route.Targets.OrderBy(target => target.Position))
        {
            var server = target.McpServer!.Name;
            targets.Add(new EffectiveTarget(
                server,
                Backend(policies.ForTarget(PolicyKinds.BackendAuth, route.Name, server)),
                Backend(policies.ForTarget(PolicyKinds.BackendTls, route.Name, server))));
        }

        return new EffectiveRoutePolicies(parts, targets) { Ignored = ignored };
    }

    /// <summary>
    /// MCP authorization: the rules of the effective policy, plus for each binding that covers the route one rule per
    /// rule of its role, "(subjects) &amp;&amp; (role rule)"; each rule is named for where it came from. Null when
    /// there is neither a policy nor a binding.
    /// </summary>
    private static EffectivePolicy? Authorization(TenantSecurity security, GatewayRoute route, EffectivePolicy? policy)
    {
        var bindings = security.RoleBindings.Where(binding => binding.Routes.Count == 0 || binding.Routes.Contains(route.Name)).ToList();
        if (bindings.Count == 0 && policy is null)
        {
            return null;
        }

        var spec = policy?.Spec as McpAuthorization ?? new McpAuthorization();
        foreach (var rule in spec.Rules.Where(rule => rule.Name.Length == 0))
        {
            rule.Name = $"policy {policy!.Source!.Entity.Name}";
        }

        foreach (var binding in bindings)
        {
            foreach (var roleRule in binding.Role!.Rules)
            {
                spec.Rules.Add(new AuthorizationRule
                {
                    Name = $"binding {binding.Name} / role {binding.Role.Name}",
                    Expression = SubjectExpressions.Rule(binding.Subjects, roleRule),
                });
            }
        }

        return new EffectivePolicy(PolicyKinds.McpAuthorization, policy?.Source, spec, [.. bindings.Select(binding => binding.Name)]);
    }

    private static AgentGateway.Contracts.V1.ApiKey ToMessage(ApiKey key)
    {
        var message = new AgentGateway.Contracts.V1.ApiKey
        {
            Id = key.Id.ToString(),
            Name = key.Name,
            Sha256 = key.Sha256,
            ExpiresAt = key.ExpiresAt is { } expiry ? Timestamp.FromDateTimeOffset(expiry) : null,
        };
        message.Metadata.Add(key.Metadata);
        message.Llm = LlmBudgets.ToMessage(key);
        return message;
    }

    private static EffectivePolicy? Backend(ParsedPolicy? policy) =>
        policy is null ? null : new EffectivePolicy(policy.Kind.Name, policy, policy.CloneSpec(), []);
}
