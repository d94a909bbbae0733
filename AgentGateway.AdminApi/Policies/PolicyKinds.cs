using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using V1 = AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Policies;

/// <summary>
/// The policy kinds of the API. Caller-side kinds attach to the tenant or a route (a route's own replaces the
/// tenant's); backend kinds also attach to an MCP server (the server's replaces the route's, which replaces the
/// tenant's). Secrets are referenced by name only (<c>{"secretRef": "name"}</c>).
/// </summary>
internal static class PolicyKinds
{
    public const string JwtAuth = "jwt-auth";
    public const string McpAuthentication = "mcp-authentication";
    public const string ApiKeyAuth = "api-key-auth";
    public const string ExtAuthz = "ext-authz";
    public const string McpAuthorization = "mcp-authorization";
    public const string BackendAuth = "backend-auth";
    public const string BackendTls = "backend-tls";

    private static readonly string[] s_callerTargets = [PolicyTargets.Tenant, PolicyTargets.Route];
    private static readonly string[] s_backendTargets = [PolicyTargets.Tenant, PolicyTargets.Route, PolicyTargets.McpServer];

    public static IReadOnlyList<PolicyKind> All { get; } =
    [
        new(JwtAuth, nameof(JwtAuthentication), s_callerTargets, false,
            (json, path, errors) => ProtoJson.Parse<JwtAuthentication>(json, path, errors),
            (message, path, errors) => PolicyValidator.Validate((JwtAuthentication)message, path, errors)),
        new(McpAuthentication, nameof(V1.McpAuthentication), s_callerTargets, false,
            (json, path, errors) => ProtoJson.Parse<V1.McpAuthentication>(json, path, errors),
            (message, path, errors) => PolicyValidator.Validate((V1.McpAuthentication)message, path, errors)),
        new(ApiKeyAuth, nameof(ApiKeyAuthentication), s_callerTargets, false,
            (json, path, errors) => ProtoJson.Parse<ApiKeyAuthentication>(json, path, errors),
            ValidateApiKeyAuthentication),
        new(ExtAuthz, nameof(ExternalAuthorization), s_callerTargets, false,
            (json, path, errors) => ProtoJson.Parse<ExternalAuthorization>(json, path, errors),
            (message, path, errors) => PolicyValidator.Validate((ExternalAuthorization)message, path, errors)),
        new(McpAuthorization, nameof(V1.McpAuthorization), s_callerTargets, false,
            (json, path, errors) => ProtoJson.Parse<V1.McpAuthorization>(json, path, errors),
            (message, path, errors) => PolicyValidator.Validate((V1.McpAuthorization)message, path, errors)),
        new(BackendAuth, nameof(V1.BackendAuth), s_backendTargets, true,
            (json, path, errors) => ProtoJson.Parse<V1.BackendAuth>(json, path, errors),
            (message, path, errors) => PolicyValidator.Validate((V1.BackendAuth)message, path, SecretSources.SecretRef, errors)),
        new(BackendTls, nameof(V1.BackendTls), s_backendTargets, true,
            (json, path, errors) => ProtoJson.Parse<V1.BackendTls>(json, path, errors),
            (message, path, errors) => PolicyValidator.Validate((V1.BackendTls)message, path, SecretSources.SecretRef, errors)),
    ];

    /// <summary>The caller-side kinds, in the order the proxy applies them.</summary>
    public static IReadOnlyList<string> CallerSide { get; } = [JwtAuth, McpAuthentication, ApiKeyAuth, ExtAuthz, McpAuthorization];

    /// <summary>The backend kinds.</summary>
    public static IReadOnlyList<string> BackendSide { get; } = [BackendAuth, BackendTls];

    public static PolicyKind? Find(string? name) => All.FirstOrDefault(kind => kind.Name == name);

    public static string KnownNames => string.Join(", ", All.Select(kind => $"'{kind.Name}'"));

    private static void ValidateApiKeyAuthentication(Google.Protobuf.IMessage message, string path, List<ConfigError> errors)
    {
        var apiKeys = (ApiKeyAuthentication)message;
        PolicyValidator.Validate(apiKeys, path, SecretSources.SecretRef, errors);
        if (apiKeys.Keys.Count > 0)
        {
            errors.Add(new ConfigError($"{path}.keys", "must be empty: the tenant's API keys are issued through /api/v1/tenants/{tenant}/api-keys (hashed, each scoped to routes) and added by the gateway"));
        }
    }
}
