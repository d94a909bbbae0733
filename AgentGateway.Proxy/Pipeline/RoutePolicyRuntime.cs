using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Pipeline.Traffic;
using Cel;

namespace AgentGateway.Proxy.Pipeline;

/// <summary>
/// A route's policies made ready for the request path once per config: API keys indexed by hash, CEL rules
/// compiled. Part of the immutable snapshot, so requests read it without locks.
/// </summary>
internal sealed class RoutePolicyRuntime
{
    private RoutePolicyRuntime(RoutePolicies policies)
    {
        Policies = policies;
    }

    public RoutePolicies Policies { get; }

    public JwtAuthentication? Jwt => Policies.JwtAuth;

    public McpAuthentication? McpAuthentication => Policies.McpAuthentication;

    public ApiKeyAuthentication? ApiKeyAuth => Policies.ApiKeyAuth;

    public ExternalAuthorization? ExtAuthz => Policies.ExtAuthz;

    /// <summary>The traffic and resiliency policies (headers, redirect, rewrite, CORS, timeouts, retries, mirrors).</summary>
    public TrafficPolicyRuntime Traffic { get; private init; } = TrafficPolicyRuntime.None;

    /// <summary>The route's API keys by the lower-case hex SHA-256 of the key.</summary>
    public FrozenDictionary<string, ApiKey> ApiKeysBySha256 { get; private init; } = FrozenDictionary<string, ApiKey>.Empty;

    /// <summary>The header besides Authorization that carries an API key.</summary>
    public string ApiKeyHeader => ApiKeyAuth is { Header.Length: > 0 } auth ? auth.Header : "X-Api-Key";

    /// <summary>Whether any authentication method is configured.</summary>
    public bool HasAuthentication => Jwt is not null || McpAuthentication is not null || ApiKeyAuth is not null;

    /// <summary>Whether a request must be authenticated by one of the methods (one of them is strict).</summary>
    public bool RequiresAuthentication =>
        IsStrict(Jwt?.Mode) && Jwt is not null || IsStrict(McpAuthentication?.Mode) && McpAuthentication is not null || IsStrict(ApiKeyAuth?.Mode) && ApiKeyAuth is not null;

    /// <summary>The authorization rules of MCP operations, or null when the route authorizes none (everything is allowed).</summary>
    public IReadOnlyList<CompiledRule>? AuthorizationRules { get; private init; }

    /// <summary>The route's request authorization rules (every kind), or null when it has none (everything is allowed).</summary>
    public IReadOnlyList<CompiledRule>? RequestRules { get; private init; }

    /// <summary>The authorization rules of A2A methods, or null when the route authorizes none (everything is allowed).</summary>
    public IReadOnlyList<CompiledRule>? A2aAuthorizationRules { get; private init; }

    /// <summary>The scope of an anonymous request on a route without rules: the same for every such request.</summary>
    public RequestScope AnonymousScope { get; private set; } = null!;

    private static readonly Dictionary<string, object?> s_noVariables = new(StringComparer.Ordinal);

    /// <summary>The route's rate limits, or null when it has none.</summary>
    public RateLimitPlan? RateLimits { get; private init; }

    /// <summary>Scopes particular operations need (MCP authentication's step-up).</summary>
    public IReadOnlyList<CompiledScopeRequirement> OperationScopes { get; private init; } = [];

    public static RoutePolicyRuntime Compile(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var policies = route.Policies ?? new RoutePolicies();
        var runtime = new RoutePolicyRuntime(policies)
        {
            ApiKeysBySha256 = policies.ApiKeyAuth?.Keys
                .Select(key => (Hash: key.Sha256.Length > 0 ? key.Sha256 : HashKey(key.Key?.Inline ?? string.Empty), Key: key))
                .DistinctBy(entry => entry.Hash, StringComparer.Ordinal)
                .ToFrozenDictionary(entry => entry.Hash, entry => entry.Key, StringComparer.Ordinal)
                ?? FrozenDictionary<string, ApiKey>.Empty,
            AuthorizationRules = policies.McpAuthorization is { } authorization ? Compile(authorization.Rules) : null,
            A2aAuthorizationRules = policies.A2AAuthorization is { } a2aAuthorization ? Compile(a2aAuthorization.Rules) : null,
            RequestRules = policies.Authorization is { } requestAuthorization ? Compile(requestAuthorization.Rules) : null,
            OperationScopes = policies.McpAuthentication?.OperationScopes
                .Select(requirement => new CompiledScopeRequirement(CelExpressions.Compile(requirement.Match), [.. requirement.Scopes]))
                .ToList() ?? [],
            RateLimits = RateLimitPlan.Compile(route),
            Traffic = TrafficPolicyRuntime.Compile(policies),
        };
        runtime.AnonymousScope = new RequestScope(GatewayCaller.Anonymous, runtime, s_noVariables);
        return runtime;
    }

    private static CompiledRule[] Compile(IEnumerable<AuthorizationRule> rules) =>
        [.. rules.Select((rule, index) => new CompiledRule(rule.Name.Length > 0 ? rule.Name : $"rule {index + 1}", CelExpressions.Compile(rule.Expression)))];

    /// <summary>Whether any of <paramref name="rules"/> holds for <paramref name="variables"/> (a rule that fails to evaluate does not).</summary>
    public static bool AnyHolds(IReadOnlyList<CompiledRule> rules, IDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(rules);
        foreach (var rule in rules)
        {
            if (CelExpressions.IsTrue(rule.Program, variables))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The hash an API key is looked up by.</summary>
    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static bool IsStrict(string? mode) => mode is null or "" or PolicyValidator.ModeStrict;
}

/// <summary>A compiled authorization rule.</summary>
internal sealed record CompiledRule(string Name, CelProgramDelegate Program);

/// <summary>Operations matching <see cref="Match"/> need <see cref="Scopes"/>.</summary>
internal sealed record CompiledScopeRequirement(CelProgramDelegate Match, IReadOnlyList<string> Scopes);
