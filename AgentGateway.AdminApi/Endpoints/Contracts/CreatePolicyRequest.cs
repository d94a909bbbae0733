using System.Text.Json;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

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
