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

    public const string JwtAuth = "jwt-auth";
    public const string McpAuthentication = "mcp-authentication";
    public const string ApiKeyAuth = "api-key-auth";
    public const string ExtAuthz = "ext-authz";
    public const string McpAuthorization = "mcp-authorization";
    public const string BackendAuth = "backend-auth";
    public const string BackendTls = "backend-tls";

    /// <summary>What a secret reference in an example names when the tenant has no secret yet.</summary>
    public const string ExampleSecret = "upstream-token";

    private static readonly string[] s_callerTargets = [Tenant, Route];
    private static readonly string[] s_backendTargets = [Tenant, Route, McpServer];

    public static IReadOnlyList<PolicyKindInfo> All { get; } =
    [
        new(JwtAuth, "JWT authentication", "JwtAuthentication", "Bearer JWTs of one or more issuers, checked against their published keys.", s_callerTargets, true),
        new(McpAuthentication, "MCP authentication", "McpAuthentication", "MCP authorization's resource server (OAuth 2.1, RFC 9728): protected resource metadata, challenges, audience-bound tokens and scopes.", s_callerTargets, true),
        new(ApiKeyAuth, "API keys", "ApiKeyAuthentication", "The tenant's API keys scoped to the route (issued on the API keys page).", s_callerTargets, true),
        new(ExtAuthz, "External authorization", "ExternalAuthorization", "A gRPC (Envoy ext_authz) or HTTP service decides every request.", s_callerTargets, false),
        new(McpAuthorization, "MCP authorization", "McpAuthorization", "CEL rules over the caller and the MCP operation; role bindings add theirs after these.", s_callerTargets, false),
        new(BackendAuth, "Backend authentication", "BackendAuth", "How the gateway authenticates to the MCP servers behind the route.", s_backendTargets, true),
        new(BackendTls, "Backend TLS", "BackendTls", "Trusted CAs, client certificate and server name for TLS to the MCP servers.", s_backendTargets, false),
    ];

    public static PolicyKindInfo? Find(string? name) => All.FirstOrDefault(kind => kind.Name == name);

    public static string TargetTitle(string target) => target switch
    {
        Tenant => "The whole tenant",
        Route => "A route",
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
            _ => [],
        };
    }
}
