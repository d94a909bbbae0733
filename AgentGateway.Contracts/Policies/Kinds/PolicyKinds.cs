using System.Text.Json.Nodes;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.V1;
using Google.Protobuf;

namespace AgentGateway.Contracts.Policies.Kinds;

/// <summary>
/// The catalog of policy kinds: the one place that knows what each kind is, where it attaches, which route kinds it
/// has an effect on, how it is validated and where it lands in a route's policies. The REST API validates and resolves
/// policies with it, the proxy refuses route policies that would have no effect with it, and the Portal offers its
/// kinds, targets and examples from it.
/// </summary>
public static class PolicyKinds
{
    public const string JwtAuth = "jwt-auth";
    public const string McpAuthentication = "mcp-authentication";
    public const string ApiKeyAuth = "api-key-auth";
    public const string ExtAuthz = "ext-authz";
    public const string Authorization = "authorization";
    public const string McpAuthorization = "mcp-authorization";
    public const string A2aAuthorization = "a2a-authorization";
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
    public const string LlmGuards = "llm-guards";
    public const string ToolGuards = "tool-guards";

    private static readonly string[] s_routeTargets = [PolicyTargets.Tenant, PolicyTargets.Route];
    private static readonly string[] s_backendTargets = [PolicyTargets.Tenant, PolicyTargets.Route, PolicyTargets.McpServer, PolicyTargets.Agent, PolicyTargets.LlmProvider];
    private static readonly string[] s_everyRoute = [RouteKinds.Http, RouteKinds.Mcp, RouteKinds.A2a, RouteKinds.Llm];
    private static readonly string[] s_forwarded = [RouteKinds.Http, RouteKinds.A2a];

    /// <summary>Every kind, caller side first, in the order the proxy applies them.</summary>
    public static IReadOnlyList<PolicyKind> All { get; } =
    [
        Caller<JwtAuthentication>(JwtAuth, "JWT authentication", "Bearer JWTs of one or more issuers, checked against their published keys.",
            s_everyRoute, "jwtAuth", policies => policies.JwtAuth, (policies, spec) => policies.JwtAuth = spec,
            (spec, path, _, errors) => PolicyValidator.Validate(spec, path, errors), Examples.JwtAuth),
        Caller<V1.McpAuthentication>(McpAuthentication, "MCP authentication",
            "MCP authorization's resource server (OAuth 2.1, RFC 9728): protected resource metadata, challenges, audience-bound tokens and scopes.",
            [RouteKinds.Mcp], "mcpAuthentication", policies => policies.McpAuthentication, (policies, spec) => policies.McpAuthentication = spec,
            (spec, path, _, errors) => PolicyValidator.Validate(spec, path, errors), Examples.McpAuthentication),
        Caller<ApiKeyAuthentication>(ApiKeyAuth, "API keys", "The tenant's API keys scoped to the route (issued on the API keys page).",
            s_everyRoute, "apiKeyAuth", policies => policies.ApiKeyAuth, (policies, spec) => policies.ApiKeyAuth = spec,
            PolicyValidator.Validate, Examples.ApiKeyAuth),
        Caller<ExternalAuthorization>(ExtAuthz, "External authorization", "A gRPC (Envoy ext_authz) or HTTP service decides every request.",
            s_everyRoute, "extAuthz", policies => policies.ExtAuthz, (policies, spec) => policies.ExtAuthz = spec,
            (spec, path, _, errors) => PolicyValidator.Validate(spec, path, errors), Examples.ExtAuthz),
        Caller<RequestAuthorization>(Authorization, "Authorization",
            "CEL rules over the caller and the request (method, path, host, headers, source address), on every route kind; with no rule nothing is allowed.",
            s_everyRoute, "authorization", policies => policies.Authorization, (policies, spec) => policies.Authorization = spec,
            (spec, path, _, errors) => PolicyValidator.Validate(spec, path, errors), Examples.Authorization),
        Caller<V1.McpAuthorization>(McpAuthorization, "MCP authorization",
            "CEL rules over the caller and the MCP operation; role bindings add theirs after these.",
            [RouteKinds.Mcp], "mcpAuthorization", policies => policies.McpAuthorization, (policies, spec) => policies.McpAuthorization = spec,
            (spec, path, _, errors) => PolicyValidator.Validate(spec, path, errors), Examples.McpAuthorization),
        Caller<V1.A2aAuthorization>(A2aAuthorization, "A2A authorization",
            "CEL rules over the caller and the A2A method (v1.0 names: SendMessage, GetTask...) and skill; with no rule nothing is allowed.",
            [RouteKinds.A2a], "a2aAuthorization", policies => policies.A2AAuthorization, (policies, spec) => policies.A2AAuthorization = spec,
            (spec, path, _, errors) => PolicyValidator.Validate(spec, path, errors), Examples.A2aAuthorization),
        Backend<V1.BackendAuth>(BackendAuth, "Backend authentication",
            "How the gateway authenticates to the MCP servers, HTTP destinations, agent or LLM providers behind the route (an LLM provider's API key).",
            (spec, path, sources, errors) => PolicyValidator.Validate(spec, path, sources, errors), Examples.BackendAuth),
        Backend<V1.BackendTls>(BackendTls, "Backend TLS",
            "Trusted CAs, client certificate and server name for TLS to the MCP servers, HTTP destinations, agent or LLM providers.",
            (spec, path, sources, errors) => PolicyValidator.Validate(spec, path, sources, errors), Examples.BackendTls),
        Traffic<HeaderModifier>(RequestHeaders, "Request headers", "Headers added to, set on and removed from the requests sent upstream.",
            s_everyRoute, "requestHeaders", policies => policies.RequestHeaders, (policies, spec) => policies.RequestHeaders = spec, Examples.RequestHeaders),
        Traffic<HeaderModifier>(ResponseHeaders, "Response headers", "Headers added to, set on and removed from every answer.",
            s_everyRoute, "responseHeaders", policies => policies.ResponseHeaders, (policies, spec) => policies.ResponseHeaders = spec, Examples.ResponseHeaders),
        Traffic<RequestRedirect>(Redirect, "Redirect", "Answer with a redirect (scheme, host, port, path) instead of forwarding.",
            s_everyRoute, "redirect", policies => policies.Redirect, (policies, spec) => policies.Redirect = spec, Examples.Redirect),
        Traffic<V1.UrlRewrite>(UrlRewrite, "URL rewrite",
            "Change the host and path sent upstream: the whole path, the matched prefix, or by a regular expression (forwarded routes: HTTP and A2A).",
            s_forwarded, "urlRewrite", policies => policies.UrlRewrite, (policies, spec) => policies.UrlRewrite = spec, Examples.UrlRewrite),
        Traffic<V1.DirectResponse>(DirectResponse, "Direct response", "Answer from the gateway with a fixed status and body; no backend is called.",
            s_everyRoute, "directResponse", policies => policies.DirectResponse, (policies, spec) => policies.DirectResponse = spec, Examples.DirectResponse),
        Traffic<V1.Cors>(Cors, "CORS", "Which browser origins may call the route; preflights are answered by the gateway.",
            s_everyRoute, "cors", policies => policies.Cors, (policies, spec) => policies.Cors = spec, Examples.Cors),
        Traffic<V1.Timeouts>(Timeouts, "Timeouts",
            "How long the whole request, and each try at a backend (an HTTP destination, the agent, an MCP target, an LLM provider), may take.",
            s_everyRoute, "timeouts", policies => policies.Timeouts, (policies, spec) => policies.Timeouts = spec, Examples.Timeouts),
        Traffic<RetryPolicy>(Retry, "Retries",
            "Retry failed tries at a backend with jittered backoff, on chosen statuses and failures (on MCP routes: lists and reads, calls only when allowNonIdempotent).",
            s_everyRoute, "retry", policies => policies.Retry, (policies, spec) => policies.Retry = spec, Examples.Retry),
        new(Mirrors, "Mirrors", "Copies of a share of the requests sent to other services; their answers are dropped (forwarded routes: HTTP and A2A).",
            "{\"mirrors\": [RequestMirror, ...]}", PolicySide.Traffic, s_routeTargets, s_forwarded,
            (json, path, errors) => ProtoJson.Parse<RoutePolicies>(json, path, errors), ValidateMirrors,
            policies => policies.Mirrors.Count == 0 ? null : new RoutePolicies { Mirrors = { policies.Mirrors } },
            (policies, spec) => policies.Mirrors.Add(((RoutePolicies)spec).Mirrors), "mirrors", Examples.Mirrors),
        Traffic<V1.LocalRateLimit>(LocalRateLimit, "Local rate limit", "Token buckets each proxy keeps on its own; an empty bucket answers 429.",
            s_everyRoute, "localRateLimit", policies => policies.LocalRateLimit, (policies, spec) => policies.LocalRateLimit = spec, Examples.LocalRateLimit),
        Traffic<DistributedRateLimit>(RateLimit, "Rate limit", "Limits every proxy replica shares: counters in Redis, or an Envoy rate-limit service.",
            s_everyRoute, "rateLimit", policies => policies.RateLimit, (policies, spec) => policies.RateLimit = spec, Examples.RateLimit),
        Traffic<V1.LlmGuards>(LlmGuards, "LLM guards",
            "LLM routes: patterns and PII detectors (email, phone, credit-card, ssn, ip-address, iban) that mask or reject prompts and answers, streams included, and moderation webhooks (streamed answers checked in parts).",
            [RouteKinds.Llm], "llmGuards", policies => policies.LlmGuards, (policies, spec) => policies.LlmGuards = spec, Examples.LlmGuards),
        Traffic<V1.ToolGuards>(ToolGuards, "Tool guards",
            "MCP routes: patterns and PII detectors that mask or refuse tool calls' arguments (before any target sees them) and tools' results (before the client does), for all tools or those named, and bounds on their sizes.",
            [RouteKinds.Mcp], "toolGuards", policies => policies.ToolGuards, (policies, spec) => policies.ToolGuards = spec, Examples.ToolGuards),
    ];

    /// <summary>The route-level kinds (caller side, then traffic): a route's own replaces the tenant's.</summary>
    public static IReadOnlyList<PolicyKind> RouteLevel { get; } = [.. All.Where(kind => kind.IsRouteLevel)];

    /// <summary>The backend kinds: an MCP server's, agent's or LLM provider's replaces the route's, which replaces the tenant's.</summary>
    public static IReadOnlyList<PolicyKind> BackendSide { get; } = [.. All.Where(kind => !kind.IsRouteLevel)];

    public static PolicyKind? Find(string? name) => All.FirstOrDefault(kind => kind.Name == name);

    public static string KnownNames => string.Join(", ", All.Select(kind => $"'{kind.Name}'"));

    /// <summary>
    /// Adds an error for each part of a route's policies that has no effect on routes of <paramref name="routeKind"/>
    /// (mirrors on an MCP route, LLM guards on an HTTP route...): such a route is refused rather than served without them.
    /// </summary>
    public static void ValidateEffect(RoutePolicies? policies, string? routeKind, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (policies is null || routeKind is null)
        {
            return;
        }

        foreach (var kind in RouteLevel)
        {
            if (!kind.AppliesTo(routeKind) && kind.Get(policies) is not null)
            {
                errors.Add(new ConfigError(path.Length == 0 ? kind.Field : $"{path}.{kind.Field}", kind.NoEffect(PolicyTargets.Route, routeKind)!));
            }
        }
    }

    private static PolicyKind Caller<T>(
        string name, string title, string summary, string[] routeKinds, string field, Func<RoutePolicies, T?> get, Action<RoutePolicies, T> set,
        Action<T, string, SecretSources, List<ConfigError>> validate, Func<string, JsonObject> example)
        where T : class, IMessage<T>, new() =>
        new(name, title, summary, typeof(T).Name, PolicySide.Caller, s_routeTargets, routeKinds,
            (json, path, errors) => ProtoJson.Parse<T>(json, path, errors),
            (spec, path, sources, errors) => validate((T)spec, path, sources, errors),
            policies => get(policies), (policies, spec) => set(policies, (T)spec), field, example);

    private static PolicyKind Backend<T>(
        string name, string title, string summary, Action<T, string, SecretSources, List<ConfigError>> validate, Func<string, JsonObject> example)
        where T : class, IMessage<T>, new() =>
        new(name, title, summary, typeof(T).Name, PolicySide.Backend, s_backendTargets, s_everyRoute,
            (json, path, errors) => ProtoJson.Parse<T>(json, path, errors),
            (spec, path, sources, errors) => validate((T)spec, path, sources, errors),
            null, null, string.Empty, example);

    /// <summary>
    /// A traffic kind whose spec is one field of <see cref="RoutePolicies"/>: validated by the shared route policy
    /// validation on a <see cref="RoutePolicies"/> holding only it, with the field paths moved under the spec's.
    /// </summary>
    private static PolicyKind Traffic<T>(
        string name, string title, string summary, string[] routeKinds, string field, Func<RoutePolicies, T?> get, Action<RoutePolicies, T> set,
        Func<string, JsonObject> example)
        where T : class, IMessage<T>, new() =>
        new(name, title, summary, typeof(T).Name, PolicySide.Traffic, s_routeTargets, routeKinds,
            (json, path, errors) => ProtoJson.Parse<T>(json, path, errors),
            (spec, path, sources, errors) =>
            {
                var policies = new RoutePolicies();
                set(policies, (T)spec);
                var found = new List<ConfigError>();
                PolicyValidator.Validate(policies, string.Empty, sources, found);
                errors.AddRange(found.Select(error => error with { Field = Rebase(error.Field, field, path) }));
            },
            policies => get(policies), (policies, spec) => set(policies, (T)spec), field, example);

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
    private static void ValidateMirrors(IMessage message, string path, SecretSources sources, List<ConfigError> errors)
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

        PolicyValidator.Validate(policies, path, sources, errors);
    }
}
