using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Federation;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Transports;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Auth;
using Google.Protobuf;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Upstreams;

/// <summary>
/// Talks to the targets of a session: opens their upstream sessions on the client's behalf, sends messages, relays
/// whatever a target sends while it answers, and re-opens an upstream session the target has forgotten.
/// </summary>
internal sealed partial class McpUpstreams(
    StreamableHttpUpstream http,
    OpenApiUpstream openApi,
    McpInputBridge inputBridge,
    BackendHttpClients clients,
    StdioProcessCount stdioProcesses,
    GatewayMetrics metrics,
    TimeProvider timeProvider,
    Microsoft.Extensions.Options.IOptions<McpGatewayOptions> options,
    ILoggerFactory loggerFactory,
    ILogger<McpUpstreams> logger)
{
    private const int MaxInputRounds = 10;

    private static readonly ConditionalWeakTable<McpTarget, string> s_configHashes = [];

    private static readonly JsonObject s_gatewayInfo = new()
    {
        ["name"] = "agentgateway",
        ["version"] = typeof(McpUpstreams).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
    };

    /// <summary>Opens an upstream session with <paramref name="target"/>, offering the client's capabilities.</summary>
    /// <returns>The session and the target's initialize result.</returns>
    public async Task<(McpTargetSession Session, JsonObject Result)> InitializeAsync(McpSession session, McpTarget target, CancellationToken cancellationToken)
    {
        if (target.TransportCase == McpTarget.TransportOneofCase.Openapi)
        {
            // Loading the document now reports a broken one at once, as a failed initialize would.
            await openApi.GetCatalogAsync(target, cancellationToken);
            return (OpenApiSession(target), new JsonObject { ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() } });
        }

        if (IsConnected(target))
        {
            var connection = await ConnectAsync(session, target, cancellationToken);
            return (connection.Session!, connection.InitializeResult!);
        }

        if (session.Stateless && await DiscoverAsync(session, target, cancellationToken) is { } discovered)
        {
            return discovered;
        }

        JsonObject? reply = null;
        string? sessionId = null;
        try
        {
            using var response = await http.PostAsync(target, session.Caller, null, null, InitializeRequest(session), cancellationToken, retry: session.Retry);
            sessionId = response.SessionId;
            await foreach (var item in response.ReadEventsAsync(cancellationToken))
            {
                if (item.Message is { } message && JsonRpc.IsResponse(message))
                {
                    reply = message;
                    break;
                }
            }
        }
        catch (UpstreamException exception) when (!session.Stateless && UserAuthorizationRequiredException.In(exception) is null)
        {
            // Refused outright (e.g. 404 or 405): perhaps a server of the stateless revision only; discovery tells.
        }

        if (!session.Stateless && reply?["result"] is null && await DiscoverAsync(session, target, cancellationToken) is { } upgraded)
        {
            // The target speaks only the stateless revision: the session client gets it through the gateway.
            return upgraded;
        }

        var (version, result) = ReadInitializeResult(reply);
        using (var acknowledged = await http.PostAsync(target, session.Caller, sessionId, version, JsonRpc.Notification(NotificationMethods.InitializedNotification), cancellationToken, retry: session.Retry))
        {
            await foreach (var _ in acknowledged.ReadEventsAsync(cancellationToken))
            {
                // A notification has no answer; anything sent back is drained.
            }
        }

        LogTargetInitialized(logger, target.Name, version, sessionId is not null);
        return (new McpTargetSession(sessionId, version, ConfigHash(target), ReadFeatures(result["capabilities"] as JsonObject), Now), result);
    }

    /// <summary>
    /// The initialize request sent on a client's behalf. Stateless clients share one upstream session per target and
    /// replica; over HTTP it offers what the gateway can bridge to them (see <see cref="McpInputBridge"/>), and the
    /// bridge refuses a question on behalf of a client that did not declare the capability; connections offer nothing.
    /// </summary>
    private static JsonObject InitializeRequest(McpSession session, bool canBridge = true) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = 0,
        ["method"] = RequestMethods.Initialize,
        ["params"] = new JsonObject
        {
            ["protocolVersion"] = McpProtocolVersions.Latest,
            ["capabilities"] = session.Stateless
                ? canBridge ? BridgedCapabilities() : new JsonObject()
                : session.State.ClientCapabilities?.DeepClone() ?? new JsonObject(),
            ["clientInfo"] = (session.Stateless ? s_gatewayInfo : session.State.ClientInfo ?? s_gatewayInfo).DeepClone(),
        },
    };

    private static JsonObject BridgedCapabilities() => new()
    {
        ["sampling"] = new JsonObject(),
        ["elicitation"] = new JsonObject(),
        ["roots"] = new JsonObject(),
    };

    /// <summary>
    /// Asks a target whether it speaks the stateless revision (<c>server/discover</c>); null when it does not, and
    /// the gateway falls back to a session with it.
    /// </summary>
    private async Task<(McpTargetSession Session, JsonObject Result)?> DiscoverAsync(McpSession session, McpTarget target, CancellationToken cancellationToken)
    {
        var request = JsonRpc.Request("agw-discover", McpMethods.ServerDiscover, new JsonObject { ["_meta"] = session.ClientMeta?.DeepClone() });
        try
        {
            using var response = await http.PostAsync(target, session.Caller, null, McpProtocolVersions.Stateless, request, cancellationToken, retry: session.Retry);
            await foreach (var item in response.ReadEventsAsync(cancellationToken))
            {
                if (item.Message is { } message && JsonRpc.IsResponse(message))
                {
                    if (message["result"] is JsonObject result && result["supportedVersions"] is JsonArray versions
                        && versions.Any(version => version?.ToString() == McpProtocolVersions.Stateless))
                    {
                        LogTargetInitialized(logger, target.Name, McpProtocolVersions.Stateless, false);
                        session.Local.SetDiscovery(target.Name, result);
                        return (new McpTargetSession(null, McpProtocolVersions.Stateless, ConfigHash(target), ReadFeatures(result["capabilities"] as JsonObject), Now), result);
                    }

                    return null;
                }
            }
        }
        catch (UpstreamException exception) when (UserAuthorizationRequiredException.In(exception) is null)
        {
            // An older server refuses the request outright: it speaks only the session revisions.
        }

        return null;
    }

    private static (string Version, JsonObject Result) ReadInitializeResult(JsonObject? reply)
    {
        if (reply?["error"] is JsonObject error)
        {
            throw new UpstreamException($"initialize was refused: {error["message"]}");
        }

        if (reply?["result"] is not JsonObject result)
        {
            throw new UpstreamException("initialize got no result");
        }

        var version = JsonRpc.GetString(result, "protocolVersion");
        if (version is null || !McpProtocolVersions.IsSupported(version))
        {
            throw new UpstreamException($"the target speaks protocol version '{version}', which the gateway does not");
        }

        return (version, result);
    }

    /// <summary>The live connection of a connection-bound target on this replica, opening and initializing one if needed.</summary>
    private async Task<ConnectedUpstream> ConnectAsync(McpSession session, McpTarget target, CancellationToken cancellationToken)
    {
        var hash = ConfigHash(target);
        if (session.Local.GetConnection(target.Name) is { IsClosed: false } live && live.ConfigHash == hash)
        {
            return live;
        }

        await session.Local.ConnectLock.WaitAsync(cancellationToken);
        try
        {
            var existing = session.Local.GetConnection(target.Name);
            if (existing is { IsClosed: false } && existing.ConfigHash == hash)
            {
                return existing;
            }

            if (existing is not null)
            {
                session.Local.RemoveConnection(target.Name);
                await existing.DisposeAsync();
            }

            // A stdio target is a process of this machine: a route's and a tenant's sessions run a bounded number of them.
            var lease = target.TransportCase == McpTarget.TransportOneofCase.Stdio
                ? stdioProcesses.Acquire(session.RouteKey, options.Value.MaxStdioProcessesPerRoute, options.Value.MaxStdioProcessesPerTenant)
                : null;
            ConnectedUpstream connection;
            try
            {
                connection = await ConnectedUpstream.ConnectAsync(
                    target, session.Caller, hash, clients, loggerFactory, message => session.Local.Notify(McpNaming.ToClient(session, target.Name, message)),
                    options.Value.StdioInheritedEnvironment, cancellationToken);
            }
            catch
            {
                lease?.Dispose();
                throw;
            }

            if (lease is not null)
            {
                connection.Hold(lease);
            }

            try
            {
                var reply = await connection.RequestAsync(InitializeRequest(session, canBridge: false), static _ => ValueTask.CompletedTask, cancellationToken);
                var (version, result) = ReadInitializeResult(reply);
                await connection.SendAsync(JsonRpc.Notification(NotificationMethods.InitializedNotification), cancellationToken);
                connection.Session = new McpTargetSession(null, version, hash, ReadFeatures(result["capabilities"] as JsonObject), Now);
                connection.InitializeResult = result;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }

            session.Local.SetConnection(target.Name, connection);
            LogTargetInitialized(logger, target.Name, connection.Session.ProtocolVersion, false);
            return connection;
        }
        finally
        {
            session.Local.ConnectLock.Release();
        }
    }

    private static McpTargetSession OpenApiSession(McpTarget target) =>
        new(null, McpProtocolVersions.Latest, ConfigHash(target), ServerFeatures.Tools);

    private static bool IsConnected(McpTarget target) =>
        target.TransportCase is McpTarget.TransportOneofCase.Stdio or McpTarget.TransportOneofCase.Sse;

    /// <summary>The upstream session to use for <paramref name="target"/>, opening one if the session has none that fits its config.</summary>
    public async ValueTask<McpTargetSession> GetSessionAsync(McpSession session, McpTarget target, CancellationToken cancellationToken)
    {
        if (target.TransportCase == McpTarget.TransportOneofCase.Openapi)
        {
            return OpenApiSession(target);
        }

        if (IsConnected(target))
        {
            return (await ConnectAsync(session, target, cancellationToken)).Session!;
        }

        var hash = ConfigHash(target);
        if (session.Local.GetTarget(target.Name) is { } local && local.ConfigHash == hash)
        {
            return local;
        }

        if (session.State.Targets.TryGetValue(target.Name, out var sealedSession) && sealedSession.ConfigHash == hash)
        {
            return sealedSession;
        }

        return await ReopenAsync(session, target, cancellationToken);
    }

    /// <summary>Features of <paramref name="target"/> as known to the session, without contacting it.</summary>
    public static ServerFeatures? KnownFeatures(McpSession session, McpTarget target)
    {
        if (target.TransportCase == McpTarget.TransportOneofCase.Openapi)
        {
            return ServerFeatures.Tools;
        }

        var hash = ConfigHash(target);
        if (session.Local.GetConnection(target.Name) is { Session: { } connected } && connected.ConfigHash == hash)
        {
            return connected.Features;
        }

        if (session.Local.GetTarget(target.Name) is { } local && local.ConfigHash == hash)
        {
            return local.Features;
        }

        return session.State.Targets.TryGetValue(target.Name, out var sealedSession) && sealedSession.ConfigHash == hash
            ? sealedSession.Features
            : null;
    }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="target"/> and returns its response; every other message the
    /// target sends meanwhile (progress, logging, server-to-client requests) goes to <paramref name="relay"/>.
    /// </summary>
    /// <param name="streaming">Told when the target answers with a stream, so the client's answer can be one too.</param>
    /// <remarks>
    /// Timed in <c>mcp.client.operation.duration</c> and traced as a client span, whose context goes to the target in
    /// <c>params._meta</c> (on a copy of the request: one request may go to several targets at once).
    /// </remarks>
    public Task<JsonObject> ExchangeAsync(
        McpSession session, McpTarget target, JsonObject request, Func<UpstreamEvent, ValueTask> relay, Action? streaming, CancellationToken cancellationToken)
    {
        var method = JsonRpc.Method(request) ?? string.Empty;
        var name = McpFederation.NamedTarget(method, request);
        return GatewayActivities.ObserveMcpAsync(
            ActivityKind.Client, method, name, request, null, (Upstreams: this, Metrics: metrics, session, target, request, relay, streaming, cancellationToken, method, name),
            static (state, activity) =>
            {
                var request = state.request;
                if (activity is not null)
                {
                    activity.SetTag("agentgateway.mcp.target", state.target.Name);
                    request = request.DeepClone().AsObject();
                    GatewayActivities.Propagate(request);
                }

                return state.Upstreams.ExchangeCoreAsync(state.session, state.target, request, state.relay, state.streaming, state.cancellationToken);
            },
            static (state, _, error, elapsed) => state.Metrics.McpSent(
                state.session.RouteKey, state.target.Name, state.method, error is null ? state.name : null, error, elapsed));
    }

    private async Task<JsonObject> ExchangeCoreAsync(
        McpSession session, McpTarget target, JsonObject request, Func<UpstreamEvent, ValueTask> relay, Action? streaming, CancellationToken cancellationToken)
    {
        if (target.TransportCase == McpTarget.TransportOneofCase.Openapi)
        {
            return await openApi.HandleAsync(target, session.Caller, request, cancellationToken);
        }

        if (IsConnected(target))
        {
            return await ExchangeConnectedAsync(session, target, request, relay, cancellationToken);
        }

        for (var attempt = 0; ; attempt++)
        {
            var upstream = await GetSessionAsync(session, target, cancellationToken);
            try
            {
                var stateless = McpProtocolVersions.IsStateless(upstream.ProtocolVersion);
                if (!session.Stateless && stateless)
                {
                    return await ExchangeAnsweringAsync(session, target, upstream, request, relay, cancellationToken);
                }

                if (session.Stateless && !stateless)
                {
                    // A stateless client cannot be asked mid-call: the bridge turns the target's questions into input_required.
                    return await inputBridge.ExchangeAsync(session, target, upstream, request, relay, cancellationToken);
                }

                using var response = await http.PostAsync(
                    target, session.Caller, upstream.SessionId, upstream.ProtocolVersion, stateless ? WithClientMeta(session, request) : request, cancellationToken,
                    stateless ? session.ParamHeaders : null, session.Retry);
                if (response.IsEventStream)
                {
                    streaming?.Invoke();
                }

                string? lastEventId = null;
                TimeSpan? retry = null;
                await foreach (var item in response.ReadEventsAsync(cancellationToken))
                {
                    lastEventId = item.EventId ?? lastEventId;
                    retry = item.Retry ?? retry;
                    if (item.Message is { } message && JsonRpc.IsResponse(message))
                    {
                        if (JsonRpc.IdEquals(message["id"], request["id"]))
                        {
                            return message;
                        }

                        if (message["id"] is null && message["error"] is not null)
                        {
                            // An error the target could not tie to a request (e.g. it refused the HTTP request): it is the answer.
                            var answer = message.DeepClone().AsObject();
                            answer["id"] = request["id"]?.DeepClone();
                            return answer;
                        }
                    }

                    await relay(item);
                }

                // Ended before the answer: a pause the client resumes from the last event id, or, with none to resume
                // from, a failure the caller is told of.
                throw lastEventId is null
                    ? new UpstreamException("it ended its stream before the answer, with no event id to resume from")
                    : new UpstreamStreamPausedException(lastEventId, retry);
            }
            catch (UpstreamSessionExpiredException) when (attempt == 0)
            {
                LogSessionExpired(logger, session.RouteKey, target.Name);
                await ReopenAsync(session, target, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A session client's request to a target of the stateless revision: when the target answers input_required, the
    /// gateway asks the client each question as a server-to-client request on the request's stream, and retries with
    /// the answers (a bounded number of rounds).
    /// </summary>
    private async Task<JsonObject> ExchangeAnsweringAsync(
        McpSession session, McpTarget target, McpTargetSession upstream, JsonObject request, Func<UpstreamEvent, ValueTask> relay, CancellationToken cancellationToken)
    {
        var current = request;
        for (var round = 1; round <= MaxInputRounds; round++)
        {
            var reply = await PostStatelessAsync(session, target, upstream, current, relay, cancellationToken);
            if (reply["result"] is not JsonObject result || JsonRpc.GetString(result, "resultType") != "input_required")
            {
                reply["id"] = request["id"]?.DeepClone();
                return reply;
            }

            var answers = new JsonObject();
            foreach (var (key, question) in result["inputRequests"] as JsonObject ?? [])
            {
                var id = JsonValue.Create($"input-{Guid.NewGuid():N}");
                var waiting = session.Local.ExpectAnswerAsync(target.Name, id, cancellationToken);
                await relay(new UpstreamEvent(JsonRpc.Request(id, JsonRpc.GetString(question, "method") ?? string.Empty, question?["params"]?.DeepClone() as JsonObject), null, null));
                var answer = await waiting.WaitAsync(session.TargetBudget(), cancellationToken);
                if (answer["error"] is JsonObject refused)
                {
                    return JsonRpcMessages.Error(request["id"], JsonRpcErrorCodes.InvalidRequest, $"The client refused the target's question '{key}': {refused["message"]}");
                }

                answers[key] = answer["result"]?.DeepClone();
            }

            current = request.DeepClone().AsObject();
            current["id"] = $"{request["id"]?.ToJsonString()}-{round}";
            var parameters = current["params"] as JsonObject ?? [];
            current["params"] = parameters;
            parameters["inputResponses"] = answers;
            if (result["requestState"] is { } state)
            {
                parameters["requestState"] = state.DeepClone();
            }
        }

        return JsonRpcMessages.Error(request["id"], JsonRpcErrorCodes.InternalError, $"Target '{target.Name}' kept asking for input after {MaxInputRounds} rounds.");
    }

    private async Task<JsonObject> PostStatelessAsync(
        McpSession session, McpTarget target, McpTargetSession upstream, JsonObject request, Func<UpstreamEvent, ValueTask> relay, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(target, session.Caller, null, upstream.ProtocolVersion, WithClientMeta(session, request), cancellationToken, retry: session.Retry);
        await foreach (var item in response.ReadEventsAsync(cancellationToken))
        {
            if (item.Message is { } message && JsonRpc.IsResponse(message) && (JsonRpc.IdEquals(message["id"], request["id"]) || message["id"] is null))
            {
                return message.DeepClone().AsObject();
            }

            await relay(item);
        }

        throw new UpstreamException("the target ended the stream without an answer");
    }

    private async Task<JsonObject> ExchangeConnectedAsync(
        McpSession session, McpTarget target, JsonObject request, Func<UpstreamEvent, ValueTask> relay, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var connection = await ConnectAsync(session, target, cancellationToken);
            try
            {
                // Questions to a stateless client cannot be relayed; the target is told so at once instead of waiting.
                return await connection.RequestAsync(
                    request,
                    item => session.Stateless && item.Message is { } message && JsonRpc.IsRequest(message)
                        ? new ValueTask(connection.SendAsync(JsonRpcMessages.Error(message["id"], JsonRpcErrorCodes.MethodNotFound,
                            $"The client uses protocol revision {McpProtocolVersions.Stateless} and cannot be asked '{JsonRpc.Method(message)}' during a call to a {target.TransportCase} target."), cancellationToken))
                        : relay(item),
                    cancellationToken);
            }
            catch (UpstreamException) when (attempt == 0 && connection.IsClosed)
            {
                // The process exited or the connection broke: open a new one, once.
                LogSessionExpired(logger, session.RouteKey, target.Name);
            }
        }
    }

    /// <summary>
    /// Opens a stateless target's <c>subscriptions/listen</c> stream for <paramref name="request"/> (already narrowed
    /// to the target's share); null when the target is not stateless.
    /// </summary>
    public async Task<UpstreamResponse?> ListenAsync(McpSession session, McpTarget target, JsonObject request, CancellationToken cancellationToken)
    {
        if (IsConnected(target) || !McpProtocolVersions.IsStateless((await GetSessionAsync(session, target, cancellationToken)).ProtocolVersion))
        {
            return null;
        }

        return await http.PostAsync(target, session.Caller, null, McpProtocolVersions.Stateless, WithClientMeta(session, request), cancellationToken, retry: session.Retry);
    }

    /// <summary>The request with the client's <c>_meta</c> (version, capabilities) when it has none of its own.</summary>
    private static JsonObject WithClientMeta(McpSession session, JsonObject request)
    {
        if (session.ClientMeta is null || request["params"]?["_meta"]?["io.modelcontextprotocol/protocolVersion"] is not null)
        {
            return request;
        }

        var copy = request.DeepClone().AsObject();
        var parameters = copy["params"] as JsonObject ?? [];
        copy["params"] = parameters;
        var meta = parameters["_meta"] as JsonObject ?? [];
        parameters["_meta"] = meta;
        foreach (var (key, value) in session.ClientMeta)
        {
            meta[key] ??= value?.DeepClone();
        }

        return copy;
    }

    /// <summary>Sends a notification or a response to <paramref name="target"/>.</summary>
    public async Task SendAsync(McpSession session, McpTarget target, JsonObject message, CancellationToken cancellationToken)
    {
        if (target.TransportCase == McpTarget.TransportOneofCase.Openapi)
        {
            // A REST API has nothing to be told.
            return;
        }

        if (IsConnected(target))
        {
            await (await ConnectAsync(session, target, cancellationToken)).SendAsync(message, cancellationToken);
            return;
        }

        var upstream = await GetSessionAsync(session, target, cancellationToken);
        using var response = await http.PostAsync(target, session.Caller, upstream.SessionId, upstream.ProtocolVersion, message, cancellationToken, retry: session.Retry);
        await foreach (var _ in response.ReadEventsAsync(cancellationToken))
        {
            // Notifications and responses have no answer; anything sent back is drained.
        }
    }

    /// <summary>Opens <paramref name="target"/>'s GET stream (resuming after <paramref name="lastEventId"/>); null when it offers none.</summary>
    public async Task<UpstreamResponse?> OpenStreamAsync(McpSession session, McpTarget target, string? lastEventId, CancellationToken cancellationToken)
    {
        if (target.TransportCase == McpTarget.TransportOneofCase.Openapi)
        {
            return null;
        }

        if (IsConnected(target))
        {
            // A connection's unsolicited messages reach the session's streams through its listeners.
            await ConnectAsync(session, target, cancellationToken);
            return null;
        }

        for (var attempt = 0; ; attempt++)
        {
            var upstream = await GetSessionAsync(session, target, cancellationToken);
            try
            {
                return await http.GetStreamAsync(target, session.Caller, upstream.SessionId, upstream.ProtocolVersion, lastEventId, cancellationToken);
            }
            catch (UpstreamSessionExpiredException) when (attempt == 0 && lastEventId is null)
            {
                LogSessionExpired(logger, session.RouteKey, target.Name);
                await ReopenAsync(session, target, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Ends the upstream sessions of <paramref name="session"/> that this replica knows of, each recorded in
    /// <c>mcp.client.session.duration</c>.
    /// </summary>
    public async Task CloseAsync(McpSessionState state, LocalSession? local, Route? route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var connected = local?.ConnectedSessions ?? [];
        if (local is not null)
        {
            await local.CloseConnectionsAsync();
        }

        if (route?.Mcp is null)
        {
            return;
        }

        var sessions = new Dictionary<string, McpTargetSession>(state.Targets, StringComparer.Ordinal);
        foreach (var (name, upstream) in local?.Targets.Concat(connected) ?? [])
        {
            sessions[name] = upstream;
        }

        var now = Now;
        foreach (var target in route.Mcp.Targets)
        {
            if (sessions.TryGetValue(target.Name, out var upstream) && upstream.OpenedAt > 0)
            {
                metrics.McpClientSessionEnded(
                    state.Route, target.Name, upstream.ProtocolVersion, target.TransportCase == McpTarget.TransportOneofCase.Stdio ? "pipe" : "tcp",
                    TimeSpan.FromMilliseconds(Math.Max(0, now - upstream.OpenedAt)));
            }
        }

        await Task.WhenAll(route.Mcp.Targets
            .Where(target => target.TransportCase == McpTarget.TransportOneofCase.StreamableHttp && sessions.TryGetValue(target.Name, out var upstream) && upstream.SessionId is not null)
            .Select(target => http.DeleteAsync(target, sessions[target.Name].SessionId!, sessions[target.Name].ProtocolVersion, cancellationToken)));
    }

    private async Task<McpTargetSession> ReopenAsync(McpSession session, McpTarget target, CancellationToken cancellationToken)
    {
        var (upstream, _) = await InitializeAsync(session, target, cancellationToken);
        session.Local.SetTarget(target.Name, upstream);
        return upstream;
    }

    private long Now => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Identifies a target's config: an upstream session opened for other settings is not reused.</summary>
    private static string ConfigHash(McpTarget target) =>
        s_configHashes.GetValue(target, static target => Convert.ToBase64String(SHA256.HashData(target.ToByteArray()).AsSpan(0, 9)));

    private static ServerFeatures ReadFeatures(JsonObject? capabilities)
    {
        if (capabilities is null)
        {
            return ServerFeatures.None;
        }

        var features = ServerFeatures.None;
        features |= capabilities.ContainsKey("tools") ? ServerFeatures.Tools : 0;
        features |= capabilities.ContainsKey("prompts") ? ServerFeatures.Prompts : 0;
        features |= capabilities.ContainsKey("resources") ? ServerFeatures.Resources : 0;
        features |= capabilities["resources"]?["subscribe"]?.GetValueKind() == JsonValueKind.True ? ServerFeatures.ResourceSubscriptions : 0;
        features |= capabilities.ContainsKey("completions") ? ServerFeatures.Completions : 0;
        features |= capabilities.ContainsKey("logging") ? ServerFeatures.Logging : 0;
        if (capabilities["tasks"] is JsonObject tasks)
        {
            features |= ServerFeatures.Tasks;
            features |= tasks.ContainsKey("list") ? ServerFeatures.TaskList : 0;
            features |= tasks.ContainsKey("cancel") ? ServerFeatures.TaskCancel : 0;
            features |= tasks["requests"]?["tools"]?["call"] is JsonObject ? ServerFeatures.TaskToolCalls : 0;
        }

        return features;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Target {Target} initialized (protocol {Version}, session: {HasSession})")]
    private static partial void LogTargetInitialized(ILogger logger, string target, string version, bool hasSession);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: target {Target} no longer knew the session; re-initialized it")]
    private static partial void LogSessionExpired(ILogger logger, string route, string target);
}
