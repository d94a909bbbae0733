using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies;

/// <summary>A policy kind as the Portal offers it: where it may attach and what its spec (a policies.proto message) says.</summary>
/// <param name="Message">The proto message its spec is, as JSON.</param>
/// <param name="HasForm">Whether the Portal has a form for it besides the JSON editor.</param>
internal sealed record PolicyKindInfo(string Name, string Title, string Message, string Summary, IReadOnlyList<string> Targets, bool HasForm);

/// <summary>The kinds AdminApi knows, each with a valid example to start from.</summary>
internal static class PolicyKindCatalog
{
    public const string Tenant = "tenant";
    public const string Route = "route";
    public const string McpServer = "mcp-server";
    public const string AgentTarget = "agent";
    public const string LlmProviderTarget = "llm-provider";

    public const string JwtAuth = "jwt-auth";
    public const string McpAuthentication = "mcp-authentication";
    public const string ApiKeyAuth = "api-key-auth";
    public const string ExtAuthz = "ext-authz";
    public const string McpAuthorization = "mcp-authorization";
    public const string BackendAuth = "backend-auth";
    public const string BackendTls = "backend-tls";
    public const string RequestHeaders = "request-headers";
    public const string ResponseHeaders = "response-headers";
    public const string Redirect = "redirect";
    public const string UrlRewrite = "url-rewrite";
    public const string DirectResponse = "direct-response";
    public const string Cors = "cors";
    public const string Timeouts = "timeouts";
    public const string Retry = "retry";
    public const string Mirrors = "mirrors";
    public const string LocalRateLimit = "local-rate-limit";
    public const string RateLimit = "rate-limit";
    public const string A2aAuthorization = "a2a-authorization";
    public const string LlmGuards = "llm-guards";

    /// <summary>What a secret reference in an example names when the tenant has no secret yet.</summary>
    public const string ExampleSecret = "upstream-token";

    private static readonly string[] s_callerTargets = [Tenant, Route];
    private static readonly string[] s_backendTargets = [Tenant, Route, McpServer, AgentTarget, LlmProviderTarget];

    public static IReadOnlyList<PolicyKindInfo> All { get; } =
    [
        new(JwtAuth, "JWT authentication", "JwtAuthentication", "Bearer JWTs of one or more issuers, checked against their published keys.", s_callerTargets, true),
        new(McpAuthentication, "MCP authentication", "McpAuthentication", "MCP authorization's resource server (OAuth 2.1, RFC 9728): protected resource metadata, challenges, audience-bound tokens and scopes.", s_callerTargets, true),
        new(ApiKeyAuth, "API keys", "ApiKeyAuthentication", "The tenant's API keys scoped to the route (issued on the API keys page).", s_callerTargets, true),
        new(ExtAuthz, "External authorization", "ExternalAuthorization", "A gRPC (Envoy ext_authz) or HTTP service decides every request.", s_callerTargets, false),
        new(McpAuthorization, "MCP authorization", "McpAuthorization", "CEL rules over the caller and the MCP operation; role bindings add theirs after these.", s_callerTargets, false),
        new(BackendAuth, "Backend authentication", "BackendAuth", "How the gateway authenticates to the MCP servers, HTTP destinations, agent or LLM providers behind the route (an LLM provider's API key).", s_backendTargets, true),
        new(BackendTls, "Backend TLS", "BackendTls", "Trusted CAs, client certificate and server name for TLS to the MCP servers, HTTP destinations, agent or LLM providers.", s_backendTargets, false),
        new(RequestHeaders, "Request headers", "HeaderModifier", "Headers added to, set on and removed from the request sent upstream.", s_callerTargets, true),
        new(ResponseHeaders, "Response headers", "HeaderModifier", "Headers added to, set on and removed from every answer.", s_callerTargets, true),
        new(Redirect, "Redirect", "RequestRedirect", "Answer with a redirect (scheme, host, port, path) instead of forwarding.", s_callerTargets, true),
        new(UrlRewrite, "URL rewrite", "UrlRewrite", "Change the host and path sent upstream: the whole path, the matched prefix, or by a regular expression.", s_callerTargets, false),
        new(DirectResponse, "Direct response", "DirectResponse", "Answer from the gateway with a fixed status and body; no backend is called.", s_callerTargets, true),
        new(Cors, "CORS", "Cors", "Which browser origins may call the route; preflights are answered by the gateway.", s_callerTargets, true),
        new(Timeouts, "Timeouts", "Timeouts", "How long the whole request, and each try at the backend, may take.", s_callerTargets, true),
        new(Retry, "Retries", "RetryPolicy", "Retry failed tries with jittered backoff, on chosen statuses and failures.", s_callerTargets, true),
        new(Mirrors, "Mirrors", "{\"mirrors\": [RequestMirror, ...]}", "Copies of a share of the requests sent to other services; their answers are dropped.", s_callerTargets, false),
        new(LocalRateLimit, "Local rate limit", "LocalRateLimit", "Token buckets each proxy keeps on its own; an empty bucket answers 429.", s_callerTargets, true),
        new(RateLimit, "Rate limit", "DistributedRateLimit", "Limits every proxy replica shares: counters in Redis, or an Envoy rate-limit service.", s_callerTargets, true),
        new(LlmGuards, "LLM guards", "LlmGuards", "LLM routes: patterns and PII detectors (email, phone, credit-card, ssn, ip-address, iban) that mask or reject prompts and answers, streams included, and moderation webhooks (streamed answers checked in parts).", s_callerTargets, false),
        new(A2aAuthorization, "A2A authorization", "A2aAuthorization", "CEL rules over the caller and the A2A method (v1.0 names: SendMessage, GetTask...) and skill; with no rule nothing is allowed.", s_callerTargets, false),
    ];

    public static PolicyKindInfo? Find(string? name) => All.FirstOrDefault(kind => kind.Name == name);

    public static string TargetTitle(string target) => target switch
    {
        Tenant => "The whole tenant",
        Route => "A route",
        AgentTarget => "An agent",
        LlmProviderTarget => "An LLM provider",
        _ => "An MCP server",
    };

    /// <summary>A valid spec of <paramref name="kind"/> to start from; secret references name the tenant's first secret.</summary>
    public static JsonObject Example(string kind, IReadOnlyList<string> secrets)
    {
        var secret = secrets.Count > 0 ? secrets[0] : ExampleSecret;
        return kind switch
        {
            JwtAuth => new JsonObject
            {
                ["mode"] = "strict",
                ["providers"] = new JsonArray(new JsonObject
                {
                    ["issuer"] = "https://login.example.com/realms/agents",
                    ["audiences"] = new JsonArray("agentgateway"),
                    ["jwksUri"] = "https://login.example.com/realms/agents/protocol/openid-connect/certs",
                }),
            },
            McpAuthentication => new JsonObject
            {
                ["authorizationServers"] = new JsonArray(new JsonObject { ["issuer"] = "https://login.example.com/realms/agents" }),
                ["scopesSupported"] = new JsonArray("mcp.read", "mcp.write"),
                ["requiredScopes"] = new JsonArray("mcp.read"),
            },
            ApiKeyAuth => new JsonObject { ["mode"] = "strict", ["header"] = "X-Api-Key" },
            ExtAuthz => new JsonObject
            {
                ["http"] = new JsonObject { ["url"] = "https://authz.example.com/check" },
                ["timeoutMs"] = 1000,
                ["failureModeAllow"] = false,
            },
            McpAuthorization => new JsonObject
            {
                ["rules"] = new JsonArray(
                    new JsonObject { ["name"] = "everyone lists", ["expression"] = "mcp.method == \"tools/list\"" },
                    new JsonObject { ["name"] = "notes readers", ["expression"] = "mcp.tool.name.startsWith(\"search_\") && \"notes\" in jwt.groups" }),
            },
            BackendAuth => new JsonObject
            {
                ["header"] = new JsonObject { ["name"] = "Authorization", ["prefix"] = "Bearer ", ["value"] = new JsonObject { ["secretRef"] = secret } },
            },
            BackendTls => new JsonObject { ["sni"] = "api.internal.example.com" },
            RequestHeaders => new JsonObject
            {
                ["set"] = new JsonArray(new JsonObject { ["name"] = "X-Gateway", ["value"] = "agentgateway" }),
                ["remove"] = new JsonArray("X-Debug"),
            },
            ResponseHeaders => new JsonObject
            {
                ["set"] = new JsonArray(new JsonObject { ["name"] = "Strict-Transport-Security", ["value"] = "max-age=31536000" }),
                ["remove"] = new JsonArray("Server"),
            },
            Redirect => new JsonObject { ["scheme"] = "https", ["statusCode"] = 301 },
            UrlRewrite => new JsonObject
            {
                ["hostname"] = "api.internal.example.com",
                ["regex"] = new JsonObject { ["pattern"] = "^/v1/(.*)$", ["substitution"] = "/api/v1/$1" },
            },
            DirectResponse => new JsonObject
            {
                ["status"] = 503,
                ["body"] = "{\"error\": \"down for maintenance\"}",
                ["contentType"] = "application/json",
            },
            Cors => new JsonObject
            {
                ["allowOrigins"] = new JsonArray("https://app.example.com"),
                ["allowMethods"] = new JsonArray("GET", "POST", "DELETE"),
                ["allowHeaders"] = new JsonArray("Authorization", "Content-Type", "Mcp-Session-Id", "Mcp-Protocol-Version"),
                ["exposeHeaders"] = new JsonArray("Mcp-Session-Id"),
                ["maxAgeSeconds"] = 600,
            },
            Timeouts => new JsonObject { ["requestMs"] = 30000, ["backendRequestMs"] = 10000 },
            Retry => new JsonObject
            {
                ["attempts"] = 2,
                ["backoffBaseMs"] = 25,
                ["backoffMaxMs"] = 250,
                ["statusCodes"] = new JsonArray(502, 503, 504),
                ["retryOn"] = new JsonArray("connect-failure", "reset"),
            },
            Mirrors => new JsonObject
            {
                ["mirrors"] = new JsonArray(new JsonObject { ["url"] = "https://shadow.internal.example.com", ["percentage"] = 10 }),
            },
            LocalRateLimit => new JsonObject
            {
                ["buckets"] = new JsonArray(new JsonObject
                {
                    ["name"] = "per-client",
                    ["key"] = "client-ip",
                    ["maxTokens"] = 60,
                    ["tokensPerFill"] = 60,
                    ["fillIntervalMs"] = 60000,
                }),
            },
            RateLimit => new JsonObject
            {
                ["redis"] = new JsonObject
                {
                    ["buckets"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "per-key",
                        ["key"] = "api-key",
                        ["maxTokens"] = 1000,
                        ["tokensPerFill"] = 1000,
                        ["fillIntervalMs"] = 60000,
                    }),
                },
                ["timeoutMs"] = 100,
            },
            A2aAuthorization => new JsonObject
            {
                ["rules"] = new JsonArray(
                    new JsonObject { ["name"] = "everyone follows tasks", ["expression"] = "a2a.method in [\"GetTask\", \"ListTasks\", \"CancelTask\", \"SubscribeToTask\"]" },
                    new JsonObject { ["name"] = "agents send messages", ["expression"] = "a2a.method.startsWith(\"Send\") && \"agents\" in jwt.groups" }),
            },
            LlmGuards => new JsonObject
            {
                ["prompt"] = new JsonArray(
                    new JsonObject { ["name"] = "no-card-numbers", ["pii"] = new JsonArray("credit-card", "iban"), ["action"] = "reject" },
                    new JsonObject { ["name"] = "personal-data", ["pii"] = new JsonArray("email", "phone") }),
                ["answer"] = new JsonArray(
                    new JsonObject { ["name"] = "internal-hosts", ["patterns"] = new JsonArray("(?i)[a-z0-9-]+\\.corp\\.example\\.com"), ["replacement"] = "[INTERNAL]" }),
                ["webhooks"] = new JsonArray(
                    new JsonObject { ["name"] = "moderation", ["url"] = "https://moderation.example.com/check", ["answers"] = true, ["timeoutMs"] = 2000 }),
                ["streamCheckChars"] = 500,
            },
            _ => [],
        };
    }
}
