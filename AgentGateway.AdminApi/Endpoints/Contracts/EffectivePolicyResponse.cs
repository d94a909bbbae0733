using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Policy">The policy that supplied the part; null for MCP authorization made of role bindings only.</param>
/// <param name="AttachedTo">Where that policy is attached (tenant, route, mcp-server or agent).</param>
/// <param name="Spec">The part as the proxy applies it, secrets as references (never their values).</param>
/// <param name="RoleBindings">For mcp-authorization: the role bindings whose rules were added.</param>
public sealed record EffectivePolicyResponse(string Kind, string? Policy, PolicyTargetResponse? AttachedTo, JsonObject Spec, IReadOnlyList<string> RoleBindings);
