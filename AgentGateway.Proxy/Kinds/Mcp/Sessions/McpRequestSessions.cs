using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Kinds.Mcp.Transports;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Kinds.Mcp.Sessions;

/// <summary>
/// The session a request of an MCP route is served in: opened for a client's initialize (every target initialized,
/// its upstream session sealed into the id), found again from the id on any replica, or refused when the route's or
/// tenant's sessions are at their bound. Each request gets its own view (<see cref="McpSession"/>) with the route's
/// timeouts and retry policy.
/// </summary>
internal sealed partial class McpRequestSessions(
    McpSessionTokens tokens,
    LocalSessions localSessions,
    McpUpstreams upstreams,
    IOptions<McpGatewayOptions> options,
    TimeProvider timeProvider,
    ILogger<McpRequestSessions> logger)
{
    /// <summary>The request's view of a session: the route, sealed state and local state, served for the scope's caller.</summary>
    public McpSession CreateSession(Route route, McpSessionState state, LocalSession local, RequestScope scope, string method) =>
        new(route, state, local, TargetTimeout(route, scope.Policies))
        {
            Caller = scope.Caller,
            Policies = scope.Policies,
            RequestVariables = scope.Variables,
            Deadline = HttpMethods.IsPost(method) ? Deadline(scope.Policies) : null,
        };

    /// <summary>When a POST must be answered by: now plus the route's <c>timeouts.requestMs</c>, or null without one.</summary>
    public static long? Deadline(RoutePolicyRuntime policies) =>
        policies.Traffic.RequestTimeout is { } limit ? Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency) : null;

    /// <summary>
    /// Opens a session for a client's initialize: every target is initialized now, in parallel, so its upstream
    /// session travels in the id; a target that fails is left out and tried again when it is first used.
    /// </summary>
    public async Task<(McpSession Session, JsonObject Result)> OpenSessionAsync(Route route, JsonObject? parameters, RequestScope scope, CancellationToken cancellationToken)
    {
        var requested = JsonRpc.GetString(parameters, "protocolVersion");
        var version = McpProtocolVersions.Negotiate(requested);
        var settings = options.Value;
        var state = new McpSessionState
        {
            Nonce = Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)),
            Route = RouteKey(route),
            ProtocolVersion = version,
            OpenedAt = timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            ExpiresAt = (timeProvider.GetUtcNow() + settings.SessionLifetime).ToUnixTimeSeconds(),
            ClientCapabilities = parameters?["capabilities"]?.DeepClone() as JsonObject,
            ClientInfo = parameters?["clientInfo"]?.DeepClone() as JsonObject,
            Principal = scope.Caller.Subject,
        };

        var session = CreateSession(route, state, localSessions.GetOrAdd(state), scope, HttpMethods.Post);
        var targets = route.Mcp.Targets;
        var results = await Task.WhenAll(targets.Select(async target =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.InitializeTimeout);
            try
            {
                return ((McpTargetSession Session, JsonObject Result)?)await upstreams.InitializeAsync(session, target, timeout.Token);
            }
            catch (Exception exception) when (exception is UpstreamException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogTargetInitializeFailed(logger, state.Route, target.Name, exception is OperationCanceledException ? "no answer in time" : exception.Message);
                return null;
            }
        }));

        var instructions = new List<string>();
        var features = ServerFeatures.Tools;
        for (var index = 0; index < targets.Count; index++)
        {
            if (results[index] is not { } initialized)
            {
                continue;
            }

            state.Targets[targets[index].Name] = initialized.Session;
            features |= initialized.Session.Features;
            if (JsonRpc.GetString(initialized.Result, "instructions") is { Length: > 0 } text)
            {
                instructions.Add(targets.Count == 1 ? text : $"[{targets[index].Name}] {text}");
            }
        }

        var result = new JsonObject
        {
            ["protocolVersion"] = version,
            ["capabilities"] = McpCapabilities.From(features),
            ["serverInfo"] = McpCapabilities.ServerInfo(),
        };
        if (instructions.Count > 0)
        {
            result["instructions"] = string.Join("\n\n", instructions);
        }

        LogSessionOpened(logger, state.Route, state.Nonce, version, state.Targets.Count, targets.Count);
        return (session, result);
    }

    /// <summary>The session named by the request, or null after answering 400 (no id) or 404 (unknown, foreign, tampered or ended).</summary>
    public async Task<McpSession?> GetSessionAsync(HttpContext context, Route route, JsonNode? id, RequestScope scope)
    {
        var sessionIds = context.Request.Headers[McpHeaders.SessionId];
        var sessionId = sessionIds.ToString();
        if (string.IsNullOrEmpty(sessionId))
        {
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                $"The {McpHeaders.SessionId} header is required; send initialize first to open a session.");
            return null;
        }

        if (sessionIds.Count > 1 || !McpHeaders.IsWellFormedSessionId(sessionId))
        {
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                $"The {McpHeaders.SessionId} header must be one id of visible ASCII characters (at most {McpHeaders.MaxSessionIdLength}).");
            return null;
        }

        if (!tokens.TryUnprotect(sessionId, out var state) || state.Route != RouteKey(route) || localSessions.IsClosed(state.Nonce)
            || !string.Equals(state.Principal, scope.Caller.Subject, StringComparison.Ordinal))
        {
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status404NotFound, id, JsonRpcErrorCodes.SessionNotFound,
                "Session not found: it has ended or expired, or was not issued for this route or this caller; send initialize to open a new one.");
            return null;
        }

        var version = context.Request.Headers[McpHeaders.ProtocolVersion].ToString();
        if (version.Length > 0 && !McpProtocolVersions.IsSupported(version))
        {
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                $"Unsupported {McpHeaders.ProtocolVersion} '{version}'; supported: {string.Join(", ", McpProtocolVersions.Supported)}.");
            return null;
        }

        var local = localSessions.GetOrAdd(state);
        local.Touch();
        return CreateSession(route, state, local, scope, context.Request.Method);
    }

    /// <summary>Why this replica opens no new session of the route now (its route's or tenant's sessions are at their bound), or null.</summary>
    public string? RefuseNewSession(Route route)
    {
        var settings = options.Value;
        if (localSessions.CountOfRoute(RouteKey(route)) >= settings.MaxSessionsPerRoute)
        {
            LimitMetrics.Exceeded(LimitMetrics.McpSessionsPerRoute);
            return $"The route holds {settings.MaxSessionsPerRoute} sessions on this gateway, its limit: close idle sessions (DELETE) or try again later.";
        }

        if (localSessions.CountOfTenant(route.Tenant) >= settings.MaxSessionsPerTenant)
        {
            LimitMetrics.Exceeded(LimitMetrics.McpSessionsPerTenant);
            return $"The tenant's routes hold {settings.MaxSessionsPerTenant} sessions on this gateway, its limit: close idle sessions (DELETE) or try again later.";
        }

        return null;
    }

    /// <summary>How long one target may take for one request: the route's own, else its <c>timeouts.backendRequestMs</c>, else the gateway's.</summary>
    public TimeSpan TargetTimeout(Route route, RoutePolicyRuntime policies) =>
        route.Mcp.TargetTimeoutMs > 0 ? TimeSpan.FromMilliseconds(route.Mcp.TargetTimeoutMs) : policies.Traffic.TryTimeout ?? options.Value.TargetTimeout;

    public static string RouteKey(Route route) => $"{route.Tenant}/{route.Name}";


    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: MCP session {Session} opened (protocol {Version}, {Initialized} of {TargetCount} targets initialized)")]
    private static partial void LogSessionOpened(ILogger logger, string route, string session, string version, int initialized, int targetCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: target {Target} could not be initialized and is left out for now: {Reason}")]
    private static partial void LogTargetInitializeFailed(ILogger logger, string route, string target, string reason);
}
