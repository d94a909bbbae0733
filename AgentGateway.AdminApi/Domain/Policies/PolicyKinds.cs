using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using V1 = AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>
/// The policy kinds of the API. Route-level kinds (caller side and traffic) attach to the tenant or a route (a
/// route's own replaces the tenant's); backend kinds also attach to an MCP server or an agent (which replaces the
/// route's, which replaces the tenant's). Secrets are referenced by name only (<c>{"secretRef": "name"}</c>).
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

    private static readonly string[] s_callerTargets = [PolicyTargets.Tenant, PolicyTargets.Route];
    private static readonly string[] s_backendTargets = [PolicyTargets.Tenant, PolicyTargets.Route, PolicyTargets.McpServer, PolicyTargets.Agent, PolicyTargets.LlmProvider];

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
        TrafficKind<HeaderModifier>(RequestHeaders, "requestHeaders", (policies, spec) => policies.RequestHeaders = spec),
        TrafficKind<HeaderModifier>(ResponseHeaders, "responseHeaders", (policies, spec) => policies.ResponseHeaders = spec),
        TrafficKind<RequestRedirect>(Redirect, "redirect", (policies, spec) => policies.Redirect = spec),
        TrafficKind<V1.UrlRewrite>(UrlRewrite, "urlRewrite", (policies, spec) => policies.UrlRewrite = spec),
        TrafficKind<V1.DirectResponse>(DirectResponse, "directResponse", (policies, spec) => policies.DirectResponse = spec),
        TrafficKind<V1.Cors>(Cors, "cors", (policies, spec) => policies.Cors = spec),
        TrafficKind<V1.Timeouts>(Timeouts, "timeouts", (policies, spec) => policies.Timeouts = spec),
        TrafficKind<RetryPolicy>(Retry, "retry", (policies, spec) => policies.Retry = spec),
        new(Mirrors, "{\"mirrors\": [RequestMirror, ...]}", s_callerTargets, false,
            (json, path, errors) => ProtoJson.Parse<RoutePolicies>(json, path, errors),
            ValidateMirrors),
        TrafficKind<V1.LocalRateLimit>(LocalRateLimit, "localRateLimit", (policies, spec) => policies.LocalRateLimit = spec),
        TrafficKind<DistributedRateLimit>(RateLimit, "rateLimit", (policies, spec) => policies.RateLimit = spec),
        TrafficKind<V1.LlmGuards>(LlmGuards, "llmGuards", (policies, spec) => policies.LlmGuards = spec),
        new(A2aAuthorization, nameof(V1.A2aAuthorization), s_callerTargets, false,
            (json, path, errors) => ProtoJson.Parse<V1.A2aAuthorization>(json, path, errors),
            (message, path, errors) => PolicyValidator.Validate((V1.A2aAuthorization)message, path, errors)),
    ];

    /// <summary>The caller-side kinds, in the order the proxy applies them.</summary>
    public static IReadOnlyList<string> CallerSide { get; } = [JwtAuth, McpAuthentication, ApiKeyAuth, ExtAuthz, McpAuthorization, A2aAuthorization];

    /// <summary>The traffic kinds (headers, redirects, CORS, resiliency, rate limits): route-level, a route's replacing the tenant's.</summary>
    public static IReadOnlyList<string> Traffic { get; } =
        [RequestHeaders, ResponseHeaders, Redirect, UrlRewrite, DirectResponse, Cors, Timeouts, Retry, Mirrors, LocalRateLimit, RateLimit, LlmGuards];

    /// <summary>Every route-level kind: caller side, then traffic.</summary>
    public static IReadOnlyList<string> RouteLevel { get; } = [.. CallerSide, .. Traffic];

    /// <summary>The backend kinds.</summary>
    public static IReadOnlyList<string> BackendSide { get; } = [BackendAuth, BackendTls];

    public static PolicyKind? Find(string? name) => All.FirstOrDefault(kind => kind.Name == name);

    public static string KnownNames => string.Join(", ", All.Select(kind => $"'{kind.Name}'"));

    /// <summary>
    /// A traffic kind whose spec is one field of <see cref="RoutePolicies"/>: validated by the shared route policy
    /// validation on a <see cref="RoutePolicies"/> holding only it, with the field paths moved under the spec's.
    /// </summary>
    private static PolicyKind TrafficKind<T>(string name, string field, Action<RoutePolicies, T> set)
        where T : Google.Protobuf.IMessage<T>, new() =>
        new(name, typeof(T).Name, s_callerTargets, false,
            (json, path, errors) => ProtoJson.Parse<T>(json, path, errors),
            (message, path, errors) =>
            {
                var policies = new RoutePolicies();
                set(policies, (T)message);
                var found = new List<ConfigError>();
                PolicyValidator.Validate(policies, string.Empty, SecretSources.SecretRef, found);
                errors.AddRange(found.Select(error => error with { Field = Rebase(error.Field, field, path) }));
            });

    /// <summary>Moves a field path from under <paramref name="field"/> (of RoutePolicies) to under <paramref name="path"/>.</summary>
    private static string Rebase(string errorField, string field, string path)
    {
        if (errorField == field)
        {
            return path;
        }

        if (errorField.StartsWith(field, StringComparison.Ordinal) && errorField.Length > field.Length && errorField[field.Length] is '.' or '[')
        {
            return path + errorField[field.Length..];
        }

        return errorField.Length == 0 ? path : $"{path}.{errorField}";
    }

    /// <summary>The mirrors spec is <c>{"mirrors": [...]}</c>: a RoutePolicies with nothing but mirrors.</summary>
    private static void ValidateMirrors(Google.Protobuf.IMessage message, string path, List<ConfigError> errors)
    {
        var policies = (RoutePolicies)message;
        var rest = policies.Clone();
        rest.Mirrors.Clear();
        if (!rest.Equals(new RoutePolicies()))
        {
            errors.Add(new ConfigError(path, "takes only \"mirrors\": [{\"url\": ..., \"percentage\": ...}, ...]"));
            return;
        }

        if (policies.Mirrors.Count == 0)
        {
            errors.Add(new ConfigError($"{path}.mirrors", "needs at least one mirror"));
        }

        PolicyValidator.Validate(policies, path, SecretSources.SecretRef, errors);
    }

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
