using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Services;

/// <summary>A tenant secret as AdminApi shows it: never its value.</summary>
/// <param name="UsedBy">The policies that reference it.</param>
public sealed record SecretInfo(string Name, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version, IReadOnlyList<string> UsedBy);

public sealed record SecretUpdate(string Value, string? Description);

/// <summary>What a policy attaches to: 'tenant', 'route' or 'mcp-server', and the route's or server's name.</summary>
public sealed record PolicyTarget(string Kind, string? Name);

public sealed record PolicyInfo(
    string Name, string Kind, string? Description, PolicyTarget TargetRef, JsonObject Spec, IReadOnlyList<string> SecretRefs,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

public sealed record NewPolicy(string Name, string Kind, string? Description, PolicyTarget TargetRef, JsonObject Spec);

public sealed record PolicyUpdate(string Kind, string? Description, PolicyTarget TargetRef, JsonObject Spec);

/// <summary>What applies to a route after precedence: caller-side parts, and each target's backend parts.</summary>
public sealed record EffectivePolicies(string Route, IReadOnlyList<EffectivePolicy> Policies, IReadOnlyList<EffectiveTargetPolicies> Targets)
{
    /// <summary>Policies attached to the route that change nothing on its kind, and are not sent to proxies.</summary>
    public IReadOnlyList<IgnoredPolicy> Ignored { get; init; } = [];
}

public sealed record IgnoredPolicy(string Kind, string Policy, string Reason);

/// <param name="Policy">The policy that supplied the part; null for MCP authorization made of role bindings only.</param>
/// <param name="AttachedTo">Where that policy is attached.</param>
/// <param name="RoleBindings">For mcp-authorization: the role bindings whose rules were added.</param>
public sealed record EffectivePolicy(string Kind, string? Policy, PolicyTarget? AttachedTo, JsonObject Spec, IReadOnlyList<string> RoleBindings);

public sealed record EffectiveTargetPolicies(string Target, IReadOnlyList<EffectivePolicy> Policies);

/// <summary>An API key as listed: its prefix, never the key.</summary>
/// <param name="Routes">The routes it is for; empty: every route of the tenant.</param>
/// <param name="Status">'active', 'expired' or 'revoked'.</param>
public sealed record ApiKeyInfo(
    Guid Id, string Name, string? Description, string Prefix, IReadOnlyList<string> Routes, IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string Status, string CreatedBy, DateTimeOffset CreatedAt,
    string Version, ApiKeyLlmLimitsInfo? Llm = null, decimal? BudgetSpent = null, DateTimeOffset? BudgetExhaustedUntil = null, long? BudgetTokens = null);

/// <summary>On LLM routes, what a key may do (a virtual key): null or 0 is no limit, no models every model.</summary>
public sealed record ApiKeyLlmLimitsInfo(IReadOnlyList<string>? Models = null, int? RequestsPerMinute = null, int? TokensPerMinute = null, ApiKeyBudgetInfo? Budget = null);

/// <param name="Amount">USD.</param>
/// <param name="Period">'day', 'week' or 'month'.</param>
/// <summary>A tenant's LLM budget (null: none), what it used of it in the current period or window, and until when it is spent.</summary>
public sealed record TenantBudgetInfo(ApiKeyBudgetInfo? Budget, decimal Spent, long Tokens, DateTimeOffset? ExhaustedUntil);

public sealed record ApiKeyBudgetInfo(decimal? Amount, string? Period = null, long? Tokens = null, int? WindowHours = null);

/// <summary>A key just made: <see cref="Key"/> is shown this once.</summary>
public sealed record CreatedApiKey(string Key, string Name, string Prefix);

public sealed record NewApiKey(
    string Name, string? Description, IReadOnlyList<string> Routes, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset? ExpiresAt,
    ApiKeyLlmLimitsInfo? Llm = null);

public sealed record ApiKeyUpdate(
    string? Description, IReadOnlyList<string> Routes, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset? ExpiresAt, ApiKeyLlmLimitsInfo? Llm = null);

/// <summary>An MCP authorization role: CEL rules, any one of which allows an operation.</summary>
/// <param name="UsedBy">The role bindings that give it.</param>
public sealed record RoleInfo(
    string Name, string? Description, IReadOnlyList<string> Rules, IReadOnlyList<string> UsedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string Version);

public sealed record NewRole(string Name, string? Description, IReadOnlyList<string> Rules);

public sealed record RoleUpdate(string? Description, IReadOnlyList<string> Rules);

/// <summary>Who a binding is for: kind 'user', 'group', 'role', 'claim' (with <see cref="Claim"/>), 'api-key' or 'expression'.</summary>
public sealed record BindingSubject(string Kind, string Value, string? Claim = null);

/// <param name="Routes">The routes it covers; empty: every route of the tenant.</param>
public sealed record RoleBindingInfo(
    string Name, string? Description, string Role, IReadOnlyList<BindingSubject> Subjects, IReadOnlyList<string> Routes,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

public sealed record NewRoleBinding(string Name, string? Description, string Role, IReadOnlyList<BindingSubject> Subjects, IReadOnlyList<string> Routes);

public sealed record RoleBindingUpdate(string? Description, string Role, IReadOnlyList<BindingSubject> Subjects, IReadOnlyList<string> Routes);

/// <summary>A platform-wide exception to the egress block: an address range or a host name, on some ports or all.</summary>
public sealed record EgressAllowRuleInfo(Guid Id, string? Cidr, string? Host, IReadOnlyList<int> Ports, string? Description, string CreatedBy, DateTimeOffset CreatedAt);

public sealed record NewEgressAllowRule(string? Cidr, string? Host, IReadOnlyList<int> Ports, string? Description);

/// <summary>A tool's pin on a route: the approved definition and, when one waits for a tenant admin, the pending one.</summary>
/// <param name="Status">'approved' or 'pending'.</param>
/// <param name="Findings">Hidden-instruction patterns found in the pending definition.</param>
/// <param name="ApprovedBy">Who approved it, or 'trust-on-first-use'.</param>
public sealed record ToolPinInfo(
    string Target, string Tool, string Status, string? ApprovedSha256, JsonObject? ApprovedDefinition, string? PendingSha256,
    JsonObject? PendingDefinition, IReadOnlyList<string> Findings, DateTimeOffset FirstSeenAt, DateTimeOffset UpdatedAt, string? ApprovedBy,
    DateTimeOffset? ApprovedAt, string Version);
