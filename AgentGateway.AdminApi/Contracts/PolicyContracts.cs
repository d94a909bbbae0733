using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Contracts;

/// <summary>What a policy attaches to.</summary>
/// <param name="Kind">'tenant', 'route', 'mcp-server', 'agent' or 'llm-provider' (the last three: backend-auth and backend-tls only).</param>
/// <param name="Name">The route's, MCP server's, agent's or LLM provider's name; for 'tenant', the tenant's own name or nothing.</param>
public sealed record PolicyTargetRef(string? Kind, string? Name);

/// <param name="Kind">
/// 'jwt-auth' (JwtAuthentication), 'mcp-authentication' (McpAuthentication), 'api-key-auth' (ApiKeyAuthentication,
/// without keys: they are issued through api-keys), 'ext-authz' (ExternalAuthorization), 'mcp-authorization'
/// (McpAuthorization), 'backend-auth' (BackendAuth), 'backend-tls' (BackendTls); traffic kinds (tenant or route
/// targets): 'request-headers' and 'response-headers' (HeaderModifier), 'redirect' (RequestRedirect), 'url-rewrite'
/// (UrlRewrite), 'direct-response' (DirectResponse), 'cors' (Cors), 'timeouts' (Timeouts), 'retry' (RetryPolicy),
/// 'mirrors' ({"mirrors": [RequestMirror, ...]}), 'local-rate-limit' (LocalRateLimit), 'rate-limit'
/// (DistributedRateLimit), 'a2a-authorization' (A2aAuthorization) and 'llm-guards' (LlmGuards: LLM routes' prompt and
/// answer guards).
/// </param>
/// <param name="Spec">The kind's message as JSON (proto3 JSON names); secrets only as {"secretRef": "name"}.</param>
public sealed record CreatePolicyRequest(string? Name, string? Kind, string? Description, PolicyTargetRef? TargetRef, JsonElement? Spec);

/// <param name="Kind">Left out, the policy keeps its kind.</param>
public sealed record UpdatePolicyRequest(string? Kind, string? Description, PolicyTargetRef? TargetRef, JsonElement? Spec);

public sealed record PolicyTargetResponse(string Kind, string Name);

public sealed record PolicyResponse(
    string Name,
    string Kind,
    string? Description,
    PolicyTargetResponse TargetRef,
    JsonObject Spec,
    IReadOnlyList<string> SecretRefs,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version);

/// <summary>The policies that apply to a route after precedence, with where each part came from.</summary>
/// <param name="Policies">Route-level parts: caller side (authentication, authorization) and traffic (headers, redirect, CORS, rate limits...).</param>
/// <param name="Targets">
/// Backend parts (backend-auth, backend-tls) of each backend: each MCP target by its server's name, an HTTP route's
/// destinations under the route's name, an A2A route's agent under the agent's name, an LLM route's providers under theirs.
/// </param>
public sealed record EffectivePoliciesResponse(string Route, IReadOnlyList<EffectivePolicyResponse> Policies, IReadOnlyList<EffectiveTargetPoliciesResponse> Targets);

/// <param name="Policy">The policy that supplied the part; null for MCP authorization made of role bindings only.</param>
/// <param name="AttachedTo">Where that policy is attached (tenant, route, mcp-server or agent).</param>
/// <param name="Spec">The part as the proxy applies it, secrets as references (never their values).</param>
/// <param name="RoleBindings">For mcp-authorization: the role bindings whose rules were added.</param>
public sealed record EffectivePolicyResponse(string Kind, string? Policy, PolicyTargetResponse? AttachedTo, JsonObject Spec, IReadOnlyList<string> RoleBindings);

public sealed record EffectiveTargetPoliciesResponse(string Target, IReadOnlyList<EffectivePolicyResponse> Policies);
