using System.Text.Json.Nodes;

namespace AgentGateway.Contracts.Policies.Kinds;

/// <summary>A valid spec of each kind to start from; secret references name the given secret.</summary>
internal static class Examples
{
    public static JsonObject JwtAuth(string secret) => new JsonObject
    {
        ["mode"] = "strict",
        ["providers"] = new JsonArray(new JsonObject
        {
            ["issuer"] = "https://login.example.com/realms/agents",
            ["audiences"] = new JsonArray("agentgateway"),
            ["jwksUri"] = "https://login.example.com/realms/agents/protocol/openid-connect/certs",
        }),
    };

    public static JsonObject McpAuthentication(string secret) => new JsonObject
    {
        ["authorizationServers"] = new JsonArray(new JsonObject { ["issuer"] = "https://login.example.com/realms/agents" }),
        ["scopesSupported"] = new JsonArray("mcp.read", "mcp.write"),
        ["requiredScopes"] = new JsonArray("mcp.read"),
    };

    public static JsonObject ApiKeyAuth(string secret) => new JsonObject { ["mode"] = "strict", ["header"] = "X-Api-Key" };

    public static JsonObject ExtAuthz(string secret) => new JsonObject
    {
        ["http"] = new JsonObject { ["url"] = "https://authz.example.com/check" },
        ["timeoutMs"] = 1000,
        ["failureModeAllow"] = false,
    };

    public static JsonObject McpAuthorization(string secret) => new JsonObject
    {
        ["rules"] = new JsonArray(
            new JsonObject { ["name"] = "everyone lists", ["expression"] = "mcp.method == \"tools/list\"" },
            new JsonObject { ["name"] = "notes readers", ["expression"] = "mcp.tool.name.startsWith(\"search_\") && \"notes\" in jwt.groups" }),
    };

    public static JsonObject BackendAuth(string secret) => new JsonObject
    {
        ["header"] = new JsonObject { ["name"] = "Authorization", ["prefix"] = "Bearer ", ["value"] = new JsonObject { ["secretRef"] = secret } },
    };

    public static JsonObject BackendTls(string secret) => new JsonObject { ["sni"] = "api.internal.example.com" };

    public static JsonObject RequestHeaders(string secret) => new JsonObject
    {
        ["set"] = new JsonArray(new JsonObject { ["name"] = "X-Gateway", ["value"] = "agentgateway" }),
        ["remove"] = new JsonArray("X-Debug"),
    };

    public static JsonObject ResponseHeaders(string secret) => new JsonObject
    {
        ["set"] = new JsonArray(new JsonObject { ["name"] = "Strict-Transport-Security", ["value"] = "max-age=31536000" }),
        ["remove"] = new JsonArray("Server"),
    };

    public static JsonObject Redirect(string secret) => new JsonObject { ["scheme"] = "https", ["statusCode"] = 301 };

    public static JsonObject UrlRewrite(string secret) => new JsonObject
    {
        ["hostname"] = "api.internal.example.com",
        ["regex"] = new JsonObject { ["pattern"] = "^/v1/(.*)$", ["substitution"] = "/api/v1/$1" },
    };

    public static JsonObject DirectResponse(string secret) => new JsonObject
    {
        ["status"] = 503,
        ["body"] = "{\"error\": \"down for maintenance\"}",
        ["contentType"] = "application/json",
    };

    public static JsonObject Cors(string secret) => new JsonObject
    {
        ["allowOrigins"] = new JsonArray("https://app.example.com"),
        ["allowMethods"] = new JsonArray("GET", "POST", "DELETE"),
        ["allowHeaders"] = new JsonArray("Authorization", "Content-Type", "Mcp-Session-Id", "Mcp-Protocol-Version"),
        ["exposeHeaders"] = new JsonArray("Mcp-Session-Id"),
        ["maxAgeSeconds"] = 600,
    };

    public static JsonObject Timeouts(string secret) => new JsonObject { ["requestMs"] = 30000, ["backendRequestMs"] = 10000 };

    public static JsonObject Retry(string secret) => new JsonObject
    {
        ["attempts"] = 2,
        ["backoffBaseMs"] = 25,
        ["backoffMaxMs"] = 250,
        ["statusCodes"] = new JsonArray(502, 503, 504),
        ["retryOn"] = new JsonArray("connect-failure", "reset"),
    };

    public static JsonObject Mirrors(string secret) => new JsonObject
    {
        ["mirrors"] = new JsonArray(new JsonObject { ["url"] = "https://shadow.internal.example.com", ["percentage"] = 10 }),
    };

    public static JsonObject LocalRateLimit(string secret) => new JsonObject
    {
        ["buckets"] = new JsonArray(new JsonObject
        {
            ["name"] = "per-client",
            ["key"] = "client-ip",
            ["maxTokens"] = 60,
            ["tokensPerFill"] = 60,
            ["fillIntervalMs"] = 60000,
        }),
    };

    public static JsonObject RateLimit(string secret) => new JsonObject
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
    };

    public static JsonObject A2aAuthorization(string secret) => new JsonObject
    {
        ["rules"] = new JsonArray(
            new JsonObject { ["name"] = "everyone follows tasks", ["expression"] = "a2a.method in [\"GetTask\", \"ListTasks\", \"CancelTask\", \"SubscribeToTask\"]" },
            new JsonObject { ["name"] = "agents send messages", ["expression"] = "a2a.method.startsWith(\"Send\") && \"agents\" in jwt.groups" }),
    };

    public static JsonObject LlmGuards(string secret) => new JsonObject
    {
        ["prompt"] = new JsonArray(
            new JsonObject { ["name"] = "no-card-numbers", ["pii"] = new JsonArray("credit-card", "iban"), ["action"] = "reject" },
            new JsonObject { ["name"] = "personal-data", ["pii"] = new JsonArray("email", "phone") }),
        ["answer"] = new JsonArray(
            new JsonObject { ["name"] = "internal-hosts", ["patterns"] = new JsonArray("(?i)[a-z0-9-]+\\.corp\\.example\\.com"), ["replacement"] = "[INTERNAL]" }),
        ["webhooks"] = new JsonArray(
            new JsonObject { ["name"] = "moderation", ["url"] = "https://moderation.example.com/check", ["answers"] = true, ["timeoutMs"] = 2000 }),
        ["streamCheckChars"] = 500,
    };

    public static JsonObject ToolGuards(string secret) => new JsonObject
    {
        ["tools"] = new JsonArray("crm_*", "mail_send"),
        ["arguments"] = new JsonArray(
            new JsonObject { ["name"] = "no-card-numbers", ["pii"] = new JsonArray("credit-card", "iban"), ["action"] = "reject" }),
        ["results"] = new JsonArray(
            new JsonObject { ["name"] = "personal-data", ["pii"] = new JsonArray("email", "phone", "ssn") },
            new JsonObject { ["name"] = "api-keys", ["patterns"] = new JsonArray("sk-[A-Za-z0-9]{20,}"), ["replacement"] = "[KEY]" }),
        ["maxArgumentBytes"] = 65536,
        ["maxResultBytes"] = 1048576,
    };

    public static JsonObject Authorization(string secret) => new JsonObject
    {
        ["rules"] = new JsonArray(
            new JsonObject { ["name"] = "office network", ["expression"] = "source.address.startsWith(\"10.20.\")" },
            new JsonObject { ["name"] = "readers", ["expression"] = "request.method == \"GET\" && \"readers\" in jwt.groups" }),
    };
}
