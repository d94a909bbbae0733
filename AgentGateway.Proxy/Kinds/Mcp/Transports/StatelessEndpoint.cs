using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Federation;
using AgentGateway.Proxy.Kinds.Mcp.Governance;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Protocols;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// The stateless revision (2026-07-28) on the same endpoint: no session; every request carries its protocol version
/// and client capabilities in <c>_meta</c> and mirrors its method and name in headers, which must agree with the body.
/// Targets are spoken to in the newest revision each supports; lists of targets of an older revision get the fields
/// the stateless revision requires.
/// </summary>
internal sealed partial class StatelessEndpoint(
    McpRequestSessions sessions,
    McpStreams streams,
    LocalSessions localSessions,
    McpUpstreams upstreams,
    McpFederation federation,
    IOptions<McpGatewayOptions> options,
    TimeProvider timeProvider,
    ILogger<StatelessEndpoint> logger)
{
    /// <summary>Whether a POST without a session id is a stateless-revision request (rather than a session's first initialize).</summary>
    public static bool IsStateless(HttpRequest request, JsonObject message, string? method) =>
        request.Headers[McpHeaders.SessionId].Count == 0
        && (McpProtocolVersions.IsStateless(request.Headers[McpHeaders.ProtocolVersion].ToString())
            || message["params"]?["_meta"]?[McpMethods.ProtocolVersionKey] is not null
            || method is McpMethods.ServerDiscover or McpMethods.SubscriptionsListen);

    /// <summary>Serves one request of the stateless revision.</summary>
    public async Task HandleAsync(HttpContext context, Route route, JsonObject message, bool acceptsJson, bool acceptsEventStream, RequestScope scope)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(message);
        var id = message["id"];
        var method = JsonRpc.Method(message);
        if (method is null || !message.ContainsKey("id"))
        {
            // The stateless revision defines no client notifications or responses over HTTP.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        if (ValidateStateless(context.Request, message, method) is { } invalid)
        {
            await McpDownstream.WriteJsonAsync(context, StatusCodes.Status400BadRequest, invalid);
            return;
        }

        var meta = message["params"]!["_meta"]!.AsObject();
        var routeKey = McpRequestSessions.RouteKey(route);
        var state = new McpSessionState
        {
            // Shared per caller: upstream sessions opened with one caller's credentials never serve another.
            Nonce = scope.Caller.Subject is { } subject ? $"stateless:{routeKey}|{McpSessionTokens.Fingerprint(subject)}" : "stateless:" + routeKey,
            Principal = scope.Caller.Subject,
            Route = routeKey,
            ProtocolVersion = McpProtocolVersions.Stateless,
            ExpiresAt = (timeProvider.GetUtcNow() + options.Value.SessionLifetime).ToUnixTimeSeconds(),
            ClientCapabilities = meta[McpMethods.ClientCapabilitiesKey]?.DeepClone() as JsonObject,
        };

        // Stateless clients of a route share this replica's upstream sessions (for targets of older revisions) and
        // connections (stdio, legacy SSE).
        var local = localSessions.GetOrAdd(state);
        local.Touch();
        var session = new McpSession(route, state, local, sessions.TargetTimeout(route, scope.Policies))
        {
            Caller = scope.Caller,
            Policies = scope.Policies,
            RequestVariables = scope.Variables,
            Deadline = McpRequestSessions.Deadline(scope.Policies),
            Stateless = true,
            ClientMeta = (JsonObject)meta.DeepClone(),
            ParamHeaders = [.. context.Request.Headers
                .Where(header => header.Key.StartsWith(McpHeaders.ParamPrefix, StringComparison.OrdinalIgnoreCase))
                .Select(header => KeyValuePair.Create(header.Key, header.Value.ToString()))],
        };

        if (method == McpMethods.SubscriptionsListen)
        {
            await ListenAsync(context, session, message);
            return;
        }

        using var downstream = new McpDownstream(context, acceptsEventStream, acceptsJson);
        try
        {
            var reply = await federation.HandleRequestAsync(session, message, downstream, context.RequestAborted);
            await downstream.CompleteAsync(reply, StatusFor(reply));
        }
        catch (McpStepUpException stepUp)
        {
            await McpMessages.WriteStepUpAsync(context, route, scope, id, stepUp, downstream);
        }
        catch (UpstreamStreamPausedException)
        {
            // The stateless revision has no resumption: the request is lost, and the client asks again.
            await downstream.CompleteAsync(JsonRpcMessages.Error(id, JsonRpcErrorCodes.TargetUnavailable, "The target ended the stream without an answer; send the request again."));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // Closing the stream is how a stateless client cancels; the upstream request was aborted with it.
        }
    }

    /// <summary>The HTTP status the stateless revision gives a response: 404 for an unknown method, 400 for the errors about the request's form.</summary>
    private static int StatusFor(JsonObject reply) => reply["error"]?["code"]?.GetValue<int>() switch
    {
        JsonRpcErrorCodes.MethodNotFound => StatusCodes.Status404NotFound,
        JsonRpcErrorCodes.HeaderMismatch or JsonRpcErrorCodes.MissingClientCapability or JsonRpcErrorCodes.UnsupportedProtocolVersion =>
            StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status200OK,
    };

    /// <summary>Checks a stateless request's <c>_meta</c> and mirrored headers; the error to answer with 400, or null.</summary>
    private static JsonObject? ValidateStateless(HttpRequest request, JsonObject message, string method)
    {
        var id = message["id"];
        var meta = message["params"]?["_meta"] as JsonObject;
        var metaVersion = JsonRpc.GetString(meta, McpMethods.ProtocolVersionKey);
        if (metaVersion is null || meta![McpMethods.ClientCapabilitiesKey] is not JsonObject)
        {
            return JsonRpcMessages.Error(id, JsonRpcErrorCodes.InvalidParams,
                $"params._meta must carry '{McpMethods.ProtocolVersionKey}' and '{McpMethods.ClientCapabilitiesKey}'.");
        }

        var headerVersion = request.Headers[McpHeaders.ProtocolVersion].ToString().Trim();
        if (headerVersion != metaVersion)
        {
            return JsonRpcMessages.Error(id, JsonRpcErrorCodes.HeaderMismatch,
                $"The {McpHeaders.ProtocolVersion} header ('{headerVersion}') must equal params._meta's protocol version ('{metaVersion}').");
        }

        if (!McpProtocolVersions.IsStateless(metaVersion))
        {
            return JsonRpcMessages.Error(id, JsonRpcErrorCodes.UnsupportedProtocolVersion,
                $"Unsupported protocol version '{metaVersion}'.",
                new JsonObject
                {
                    ["supported"] = new JsonArray([.. McpProtocolVersions.SupportedStateless.Select(version => (JsonNode)version)]),
                    ["requested"] = metaVersion,
                });
        }

        if (request.Headers[McpHeaders.Method].ToString().Trim() != method)
        {
            return JsonRpcMessages.Error(id, JsonRpcErrorCodes.HeaderMismatch, $"The {McpHeaders.Method} header must equal the request's method ('{method}').");
        }

        if (McpHeaders.NameOf(message) is { } name
            && (!McpHeaders.TryDecodeValue(request.Headers[McpHeaders.Name].ToString(), out var header) || header != name))
        {
            return JsonRpcMessages.Error(id, JsonRpcErrorCodes.HeaderMismatch, $"The {McpHeaders.Name} header must equal the name the request acts on ('{name}').");
        }

        return null;
    }

    /// <summary>
    /// <c>subscriptions/listen</c>: one stream for the client, fed by a listen on every stateless target (narrowed to
    /// the resources it owns) and by the gateway's own list changes. The acknowledgement goes first and says what is
    /// granted; every notification after it names the listen.
    /// </summary>
    private async Task ListenAsync(HttpContext context, McpSession session, JsonObject message)
    {
        var id = message["id"]!;
        var wanted = message["params"]?["notifications"] as JsonObject ?? [];
        var lists = new[] { "toolsListChanged", "promptsListChanged", "resourcesListChanged" }
            .Where(flag => wanted[flag]?.GetValueKind() == JsonValueKind.True)
            .ToList();
        var requestedUris = (wanted["resourceSubscriptions"] as JsonArray ?? []).Select(uri => uri?.ToString()).OfType<string>().ToList();

        var owners = new Dictionary<string, List<(string Client, string Upstream)>>(StringComparer.Ordinal);
        foreach (var uri in requestedUris)
        {
            if (await federation.FindResourceOwnerAsync(session, uri, context.RequestAborted) is { } owner)
            {
                (owners.TryGetValue(owner.Target.Name, out var list) ? list : owners[owner.Target.Name] = []).Add((uri, owner.UpstreamUri));
            }
        }

        // Open every target's listen first and wait for its acknowledgement, so nothing that happens after the
        // client's acknowledgement is missed.
        using var opened = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        opened.CancelAfter(session.TargetBudget());
        var upstreamListens = await Task.WhenAll(session.Backend.Targets.Select(target => OpenListenAsync(session, target, lists, owners.GetValueOrDefault(target.Name) ?? [], opened.Token)));
        try
        {
            var granted = new JsonObject();
            foreach (var flag in lists)
            {
                granted[flag] = true;
            }

            granted["resourceSubscriptions"] = new JsonArray([.. upstreamListens.OfType<UpstreamListen>()
                .SelectMany(listen => owners.GetValueOrDefault(listen.Target.Name) ?? [])
                .Select(uri => (JsonNode)uri.Client)]);
            var acknowledged = JsonRpc.Notification(McpMethods.SubscriptionsAcknowledged, new JsonObject
            {
                ["_meta"] = new JsonObject { [McpMethods.SubscriptionIdKey] = id.DeepClone() },
                ["notifications"] = granted,
            });

            var listener = session.Local.AddListener();
            try
            {
                await streams.StreamAsync(context, session.Local, token => McpSse.WriteEventAsync(context.Response, acknowledged, null, null, token), (writer, token) =>
                    [.. upstreamListens.OfType<UpstreamListen>().Select(listen => PumpListenAsync(session, listen, id, writer, token)),
                        McpStreams.PumpListenerAsync(listener, notification => lists.Contains(ListFlag(JsonRpc.Method(notification))) ? Tag(notification, id) : null, writer, token)]);
            }
            finally
            {
                session.Local.RemoveListener(listener);
            }
        }
        finally
        {
            foreach (var listen in upstreamListens.OfType<UpstreamListen>())
            {
                await listen.DisposeAsync();
            }
        }
    }

    private async Task<UpstreamListen?> OpenListenAsync(
        McpSession session, McpTarget target, List<string> lists, List<(string Client, string Upstream)> uris, CancellationToken cancellationToken)
    {
        var notifications = new JsonObject();
        foreach (var flag in lists)
        {
            notifications[flag] = true;
        }

        notifications["resourceSubscriptions"] = new JsonArray([.. uris.Select(uri => (JsonNode)uri.Upstream)]);
        try
        {
            var response = await upstreams.ListenAsync(session, target, JsonRpc.Request("agw-listen", McpMethods.SubscriptionsListen, new JsonObject { ["notifications"] = notifications }), cancellationToken);
            if (response is null)
            {
                return null;
            }

            var events = response.ReadEventsAsync(CancellationToken.None).GetAsyncEnumerator(CancellationToken.None);
            var listen = new UpstreamListen(target, response, events);
            while (await events.MoveNextAsync().AsTask().WaitAsync(cancellationToken))
            {
                if (events.Current.Message is { } first && JsonRpc.Method(first) == McpMethods.SubscriptionsAcknowledged)
                {
                    return listen;
                }
            }

            await listen.DisposeAsync();
        }
        catch (Exception exception) when (exception is UpstreamException or HttpRequestException or OperationCanceledException or IOException)
        {
            LogTargetStreamFailed(logger, session.RouteKey, target.Name, exception.Message);
        }

        return null;
    }

    private static async Task PumpListenAsync(McpSession session, UpstreamListen listen, JsonNode id, ChannelWriter<StreamItem> writer, CancellationToken cancellationToken)
    {
        try
        {
            while (await listen.Events.MoveNextAsync().AsTask().WaitAsync(cancellationToken))
            {
                if (listen.Events.Current.Message is not { } message || JsonRpc.IsResponse(message))
                {
                    // A response ends the target's listen gracefully; the client's stays open for the others.
                    if (listen.Events.Current.Message is not null)
                    {
                        return;
                    }

                    continue;
                }

                await writer.WriteAsync(new StreamItem(Tag(McpNaming.ToClient(session, listen.Target.Name, message), id), null, null), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or UpstreamException or HttpRequestException or IOException)
        {
            // The client left or the target's stream broke; the client's listen ends when every source has.
        }
    }

    private static string ListFlag(string? method) => method switch
    {
        NotificationMethods.ToolListChangedNotification => "toolsListChanged",
        NotificationMethods.PromptListChangedNotification => "promptsListChanged",
        NotificationMethods.ResourceListChangedNotification => "resourcesListChanged",
        _ => string.Empty,
    };

    /// <summary>A copy of <paramref name="notification"/> that names the listen it belongs to.</summary>
    private static JsonObject Tag(JsonObject notification, JsonNode id)
    {
        var tagged = notification.DeepClone().AsObject();
        var parameters = tagged["params"] as JsonObject ?? [];
        tagged["params"] = parameters;
        var meta = parameters["_meta"] as JsonObject ?? [];
        parameters["_meta"] = meta;
        meta[McpMethods.SubscriptionIdKey] = id.DeepClone();
        return tagged;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route {Route}: target {Target}'s stream failed: {Reason}")]
    private static partial void LogTargetStreamFailed(ILogger logger, string route, string target, string reason);

    /// <summary>One target's open listen stream.</summary>
    private sealed record UpstreamListen(McpTarget Target, UpstreamResponse Response, IAsyncEnumerator<UpstreamEvent> Events) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Response.Dispose();
            try
            {
                await Events.DisposeAsync();
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
            {
                // The stream was mid-read when it was closed.
            }
        }
    }
}
