using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentGateway.Contracts.Mcp;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Governance;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Transports;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.Reporting;
using AgentGateway.Proxy.Upstream.Auth;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Federation;

/// <summary>
/// Answers one client request over the targets of a route: lists fan out to every target in parallel and merge
/// under the route's naming rule, with the gateway's own cursors; calls, reads and completions go to the target
/// that owns the name or URI; anything a target sends meanwhile is relayed to the client.
/// </summary>
internal sealed partial class McpFederation(
    McpUpstreams upstreams, McpInputBridge inputBridge, McpAccessGuard guard, McpToolGuards toolGuards, GatewayMetrics metrics, CallRecorder calls,
    ILogger<McpFederation> logger)
{
    private static readonly ListKind s_tools = new(RequestMethods.ToolsList, "tools", "name", ServerFeatures.Tools, IsUri: false);
    private static readonly ListKind s_prompts = new(RequestMethods.PromptsList, "prompts", "name", ServerFeatures.Prompts, IsUri: false);
    private static readonly ListKind s_resources = new(RequestMethods.ResourcesList, "resources", "uri", ServerFeatures.Resources, IsUri: true);
    private static readonly ListKind s_templates = new(RequestMethods.ResourcesTemplatesList, "resourceTemplates", "uriTemplate", ServerFeatures.Resources, IsUri: true);
    private static readonly ListKind s_tasks = new(McpMethods.TasksList, "tasks", "taskId", ServerFeatures.TaskList, IsUri: false);

    /// <summary>
    /// The response (result or error) to <paramref name="request"/>, timed in <c>mcp.server.operation.duration</c> and
    /// traced as a server span (the targets' spans beneath it).
    /// </summary>
    public Task<JsonObject> HandleRequestAsync(McpSession session, JsonObject request, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        var method = JsonRpc.Method(request)!;
        var name = NamedTarget(method, request);
        return GatewayActivities.ObserveMcpAsync(
            ActivityKind.Server, method, name, request, session.State.ProtocolVersion, (Federation: this, Metrics: metrics, Calls: calls, session, request, downstream, cancellationToken, method, name),
            static (state, _) => state.Federation.HandleRequestCoreAsync(state.session, state.request, state.downstream, state.cancellationToken),
            static (state, reply, error, elapsed) =>
            {
                // A name is a label only when a target answered for it: names clients make up never become series.
                state.Metrics.McpServed(state.session.RouteKey, state.method, error is null ? state.name : null, error, state.session.State.ProtocolVersion, elapsed);
                if (state.Calls.Reporting && state.method is RequestMethods.ToolsCall or RequestMethods.PromptsGet or RequestMethods.ResourcesRead)
                {
                    state.Calls.Record(CallOf(state.Calls, state.session, state.request, state.method, reply, error, elapsed));
                }
            });
    }

    /// <summary>The audit record of a tool call, prompt get or resource read.</summary>
    private static CallRecord CallOf(CallRecorder calls, McpSession session, JsonObject request, string method, JsonObject? reply, string? error, TimeSpan elapsed)
    {
        var record = calls.Create(session.Route.Tenant, session.Route.Name, RouteKinds.Mcp, method, session.Caller.Subject, elapsed);
        record.Target = McpHeaders.NameOf(request) ?? string.Empty;
        if (session.Route.AuditArguments && method == RequestMethods.ToolsCall)
        {
            record.Arguments = CallRecorder.RedactArguments(request["params"]?["arguments"]);
        }

        if (reply?["error"] is JsonObject failure)
        {
            var code = failure["code"] is JsonValue value && value.TryGetValue<int>(out var number) ? number : 0;
            CallRecorder.Failed(record, code == JsonRpcErrorCodes.Forbidden ? "refused" : "error", code, JsonRpc.GetString(failure, "message"));
        }
        else if (reply is null)
        {
            CallRecorder.Failed(record, "unavailable", 0, error);
        }
        else if (reply["result"] is JsonObject result && result["isError"] is JsonValue isError && isError.TryGetValue<bool>(out var failed) && failed)
        {
            // The tool ran and reported a failure of its own.
            CallRecorder.Failed(record, "error", 0, "the tool reported an error");
        }

        return record;
    }

    /// <summary>The tool or prompt a request names (the low-cardinality target of MCP's conventions), or null.</summary>
    internal static string? NamedTarget(string method, JsonObject request) =>
        method is RequestMethods.ToolsCall or RequestMethods.PromptsGet ? JsonRpc.GetString(request["params"] as JsonObject, "name") : null;

    private async Task<JsonObject> HandleRequestCoreAsync(McpSession session, JsonObject request, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        var id = request["id"];
        var method = JsonRpc.Method(request)!;
        var parameters = request["params"] as JsonObject ?? [];
        try
        {
            if (session.Stateless)
            {
                if (McpInputBridge.IsResume(request))
                {
                    return StatelessResult(method, await inputBridge.ResumeAsync(
                        session, request, target => item => Relay(session, target, downstream, item), cancellationToken));
                }

                switch (method)
                {
                    case McpMethods.ServerDiscover:
                        return JsonRpcMessages.Result(id, await DiscoverAsync(session, cancellationToken));
                    case RequestMethods.Initialize or RequestMethods.Ping or McpMethods.LoggingSetLevel
                        or RequestMethods.ResourcesSubscribe or RequestMethods.ResourcesUnsubscribe:
                        throw new McpGatewayException(
                            JsonRpcErrorCodes.MethodNotFound, $"Method not found: '{method}' does not exist in protocol revision {McpProtocolVersions.Stateless}.");
                }
            }

            var reply = method switch
            {
                RequestMethods.Ping => JsonRpcMessages.Result(id, new JsonObject()),
                RequestMethods.ToolsList => JsonRpcMessages.Result(id, await ListAsync(session, s_tools, request, downstream, cancellationToken)),
                RequestMethods.PromptsList => JsonRpcMessages.Result(id, await ListAsync(session, s_prompts, request, downstream, cancellationToken)),
                RequestMethods.ResourcesList => JsonRpcMessages.Result(id, await ListAsync(session, s_resources, request, downstream, cancellationToken)),
                RequestMethods.ResourcesTemplatesList => JsonRpcMessages.Result(id, await ListAsync(session, s_templates, request, downstream, cancellationToken)),
                RequestMethods.ToolsCall => await ForwardByNameAsync(session, s_tools, request, "name", "tool", downstream, cancellationToken),
                RequestMethods.PromptsGet => await ForwardByNameAsync(session, s_prompts, request, "name", "prompt", downstream, cancellationToken),
                RequestMethods.ResourcesRead or RequestMethods.ResourcesSubscribe or RequestMethods.ResourcesUnsubscribe =>
                    await ForwardByUriAsync(session, request, parameters, downstream, cancellationToken),
                RequestMethods.CompletionComplete => await CompleteAsync(session, request, parameters, downstream, cancellationToken),
                McpMethods.LoggingSetLevel => await BroadcastRequestAsync(session, request, ServerFeatures.Logging, downstream, cancellationToken),
                McpMethods.TasksList => JsonRpcMessages.Result(id, await ListAsync(session, s_tasks, request, downstream, cancellationToken)),
                McpMethods.TasksGet or McpMethods.TasksResult or McpMethods.TasksCancel => await ForwardTaskAsync(session, request, parameters, downstream, cancellationToken),
                _ when session.Backend.Targets.Count == 1 =>
                    await ForwardAsync(session, session.Backend.Targets[0], request, downstream, cancellationToken),
                _ => throw new McpGatewayException(JsonRpcErrorCodes.MethodNotFound, $"Method not found: '{method}'."),
            };
            return session.Stateless ? StatelessResult(method, reply) : reply;
        }
        catch (McpGatewayException exception)
        {
            LogRequestFailed(logger, session.RouteKey, method, exception.Message);
            var error = JsonRpcMessages.Error(id, exception.Code, exception.Message, exception.Data);
            return session.Stateless ? StatelessResult(method, error) : error;
        }
    }

    /// <summary>Adds what the stateless revision requires of results that a target of an older revision left out.</summary>
    private static JsonObject StatelessResult(string method, JsonObject reply)
    {
        if (reply["result"] is JsonObject result)
        {
            result["resultType"] ??= "complete";
            if (method is RequestMethods.ToolsList or RequestMethods.PromptsList or RequestMethods.ResourcesList
                or RequestMethods.ResourcesTemplatesList or RequestMethods.ResourcesRead)
            {
                result["ttlMs"] ??= 0;
                result["cacheScope"] ??= "private";
            }
        }
        else if (reply["error"] is JsonObject error && error["code"]?.GetValue<int>() == JsonRpcErrorCodes.ResourceNotFound)
        {
            // The stateless revision reports an unknown resource as invalid params.
            error["code"] = JsonRpcErrorCodes.InvalidParams;
        }

        return reply;
    }

    /// <summary>The route's <c>server/discover</c> result: what every target offers, merged.</summary>
    private async Task<JsonObject> DiscoverAsync(McpSession session, CancellationToken cancellationToken)
    {
        var targets = session.Backend.Targets;
        var sessions = await Task.WhenAll(targets.Select(async target =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(session.TargetBudget());
            try
            {
                return (McpTargetSession?)await upstreams.GetSessionAsync(session, target, timeout.Token);
            }
            catch (Exception exception) when (exception is UpstreamException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogTargetListFailed(logger, session.RouteKey, target.Name, exception.Message);
                return null;
            }
        }));

        var features = ServerFeatures.Tools;
        var instructions = new List<string>();
        long ttl = long.MaxValue;
        var shared = true;
        for (var index = 0; index < targets.Count; index++)
        {
            if (sessions[index] is not { } upstream)
            {
                continue;
            }

            features |= upstream.Features;
            var discovered = session.Local.GetDiscovery(targets[index].Name);
            if (JsonRpc.GetString(discovered, "instructions") is { Length: > 0 } text)
            {
                instructions.Add(targets.Count == 1 ? text : $"[{targets[index].Name}] {text}");
            }

            ttl = Math.Min(ttl, discovered?["ttlMs"]?.GetValueKind() == JsonValueKind.Number ? discovered["ttlMs"]!.GetValue<long>() : 0);
            shared &= JsonRpc.GetString(discovered, "cacheScope") == "public";
        }

        var result = new JsonObject
        {
            ["resultType"] = "complete",
            ["supportedVersions"] = new JsonArray([.. McpProtocolVersions.SupportedStateless.Select(version => (JsonNode)version)]),
            ["capabilities"] = McpCapabilities.From(features),
            ["ttlMs"] = ttl == long.MaxValue ? 0 : ttl,
            ["cacheScope"] = shared ? "public" : "private",
            ["_meta"] = new JsonObject { [McpMethods.ServerInfoKey] = McpCapabilities.ServerInfo() },
        };
        if (instructions.Count > 0)
        {
            result["instructions"] = string.Join("\n\n", instructions);
        }

        return result;
    }

    /// <summary>Passes a client notification on to every target that has a session (cancellation, roots changes, ...).</summary>
    public async Task HandleNotificationAsync(McpSession session, JsonObject notification, CancellationToken cancellationToken)
    {
        if (JsonRpc.Method(notification) == NotificationMethods.InitializedNotification)
        {
            return;
        }

        if (JsonRpc.Method(notification) == NotificationMethods.CancelledNotification)
        {
            // Stop the request here (which ends its upstream request: all a server without sessions can notice), and
            // tell the targets too, for those that track requests by id.
            session.Local.CancelRequest(notification["params"]?["requestId"]);
        }

        await Task.WhenAll(session.Backend.Targets
            .Where(target => McpUpstreams.KnownFeatures(session, target) is not null)
            .Select(target => SendQuietlyAsync(session, target, notification, cancellationToken)));
    }

    /// <summary>Routes the client's answer to a server-to-client request back to the target that asked.</summary>
    public async Task<bool> HandleResponseAsync(McpSession session, JsonObject response, CancellationToken cancellationToken)
    {
        if (!McpRelayIds.TryParseRequest(response["id"], out var targetName, out var upstreamId) || session.FindTarget(targetName) is not { } target)
        {
            return false;
        }

        if (session.Local.TryAnswer(targetName, upstreamId, response))
        {
            // The answer to a question the gateway asked for a stateless target (its input_required).
            return true;
        }

        var forwarded = response.DeepClone().AsObject();
        forwarded["id"] = upstreamId;
        await SendQuietlyAsync(session, target, forwarded, cancellationToken);
        return true;
    }

    private async Task SendQuietlyAsync(McpSession session, McpTarget target, JsonObject message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(session.TargetBudget());
        try
        {
            await upstreams.SendAsync(session, target, message, timeout.Token);
        }
        catch (Exception exception) when (exception is UpstreamException or OperationCanceledException or HttpRequestException)
        {
            LogRelayFailed(logger, session.RouteKey, target.Name, JsonRpc.Method(message) ?? "response", exception.Message);
        }
    }

    private async Task<JsonObject> ListAsync(
        McpSession session, ListKind kind, JsonObject request, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        var cursor = JsonRpc.GetString(request["params"], "cursor");
        Dictionary<string, string>? pending = null;
        if (cursor is not null && !McpCursor.TryParse(cursor, out pending))
        {
            throw new McpGatewayException(JsonRpcErrorCodes.InvalidParams, "Invalid cursor: pass back the nextCursor of a previous list, unchanged.");
        }

        var targets = session.Backend.Targets
            .Where(target => pending is null
                ? (McpUpstreams.KnownFeatures(session, target) ?? kind.Feature).HasFlag(kind.Feature)
                : pending.ContainsKey(target.Name))
            .ToList();
        var pages = await Task.WhenAll(targets.Select(target =>
            ListPageAsync(session, target, kind, request, pending?.GetValueOrDefault(target.Name), downstream, cancellationToken)));

        var items = new JsonArray();
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < targets.Count; index++)
        {
            var (page, nextCursor, _) = pages[index];
            if (nextCursor is not null)
            {
                next[targets[index].Name] = nextCursor;
            }

            foreach (var item in page)
            {
                if (item is not JsonObject entry || JsonRpc.GetString(entry, kind.Key) is not { } key)
                {
                    continue;
                }

                var federated = kind.Compose(targets[index].Name, key, session.Prefixed);
                if (!seen.Add(federated))
                {
                    LogNameCollision(logger, session.RouteKey, federated, targets[index].Name);
                    continue;
                }

                var copy = entry.DeepClone().AsObject();
                copy[kind.Key] = federated;
                if (kind == s_tools && session.Prefixed)
                {
                    McpApps.ComposeViews(copy, targets[index].Name);
                }
                if (kind == s_tasks || guard.Admit(session, kind.Method, targets[index], key, entry, copy))
                {
                    items.Add(copy);
                }
            }
        }

        var result = new JsonObject { [kind.ItemsKey] = items };
        if (next.Count > 0)
        {
            result["nextCursor"] = McpCursor.Format(next);
        }

        if (session.Stateless)
        {
            // A merged page may be cached as long as the shortest-lived part, and shared only if every part may be.
            var parts = pages.Select(page => page.Page).ToList();
            result["ttlMs"] = parts.Count == 0 ? 0 : parts.Min(part => part?["ttlMs"]?.GetValueKind() == JsonValueKind.Number ? part["ttlMs"]!.GetValue<long>() : 0);
            result["cacheScope"] = parts.Count > 0 && parts.All(part => JsonRpc.GetString(part, "cacheScope") == "public") ? "public" : "private";
        }

        return result;
    }

    private async Task<(JsonArray Items, string? NextCursor, JsonObject? Page)> ListPageAsync(
        McpSession session, McpTarget target, ListKind kind, JsonObject request, string? cursor, IMcpDownstream? downstream, CancellationToken cancellationToken)
    {
        var parameters = request["params"]?.DeepClone() as JsonObject ?? [];
        parameters.Remove("cursor");
        if (cursor is not null)
        {
            parameters["cursor"] = cursor;
        }

        try
        {
            // With a single target the answer keeps the target's form (stream or JSON), as if there were no gateway.
            var response = await ExchangeAsync(
                session, target, JsonRpc.Request(request["id"] ?? 0, kind.Method, parameters), downstream, cancellationToken,
                relayStreaming: downstream is not null && session.Backend.Targets.Count == 1);
            if (response["error"] is JsonObject error)
            {
                throw new UpstreamException($"{kind.Method} failed: {error["message"]}");
            }

            var result = response["result"] as JsonObject;
            return (result?[kind.ItemsKey] as JsonArray ?? [], JsonRpc.GetString(result, "nextCursor"), result);
        }
        catch (McpGatewayException exception) when (session.Backend.FailureMode == FailureMode.FailOpen && !cancellationToken.IsCancellationRequested
            && exception.Code != JsonRpcErrorCodes.UrlElicitationRequired)
        {
            LogTargetListFailed(logger, session.RouteKey, target.Name, exception.Message);
            return ([], null, null);
        }
        catch (UpstreamException exception) when (!cancellationToken.IsCancellationRequested)
        {
            if (session.Backend.FailureMode == FailureMode.FailClosed)
            {
                throw new McpGatewayException(JsonRpcErrorCodes.TargetUnavailable, $"Target '{target.Name}' failed to list: {exception.Message}", exception);
            }

            LogTargetListFailed(logger, session.RouteKey, target.Name, exception.Message);
            return ([], null, null);
        }
    }

    private async Task<JsonObject> ForwardByNameAsync(
        McpSession session, ListKind kind, JsonObject request, string property, string noun, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        var name = JsonRpc.GetString(request["params"], property);
        if (string.IsNullOrEmpty(name))
        {
            throw new McpGatewayException(JsonRpcErrorCodes.InvalidParams, $"{JsonRpc.Method(request)} requires params.{property}, the name of the {noun}.");
        }

        var (target, upstreamName) = await ResolveAsync(session, kind, name, noun, cancellationToken);
        await guard.CheckAsync(session, JsonRpc.Method(request)!, target, upstreamName, token => ObserveToolsAsync(session, target, token), cancellationToken);
        if (upstreamName != name)
        {
            // The request is this call's own parse of the body: it is renamed in place, not copied.
            request["params"]![property] = upstreamName;
        }

        if (kind == s_tools)
        {
            toolGuards.CheckArguments(session, name, request);
        }

        var response = await ForwardAsync(session, target, request, downstream, cancellationToken);
        if (response["error"] is JsonObject error && upstreamName != name && JsonRpc.GetString(error, "message") is { } message)
        {
            // The target names what it knows; tell the client which of the route's names that was.
            error["message"] = $"{message} (the {noun} '{name}' of target '{target.Name}')";
        }
        else if (kind == s_tools)
        {
            toolGuards.CheckResult(session, name, response);
            McpTasks.ComposeIds(response, target.Name, session.Prefixed);
        }

        return response;
    }

    /// <summary>
    /// A request about one task (get, result, cancel) to the target that keeps it: named by the task id's prefix where
    /// the route prefixes, else the one target that keeps tasks. The answer names the task as the client knows it.
    /// </summary>
    private async Task<JsonObject> ForwardTaskAsync(
        McpSession session, JsonObject request, JsonObject? parameters, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        var method = JsonRpc.Method(request);
        var taskId = JsonRpc.GetString(parameters, "taskId");
        if (string.IsNullOrEmpty(taskId))
        {
            throw new McpGatewayException(JsonRpcErrorCodes.InvalidParams, $"{method} requires params.taskId.");
        }

        var (target, upstreamId) = McpTasks.Resolve(session, taskId);
        if (target is null)
        {
            throw new McpGatewayException(JsonRpcErrorCodes.InvalidParams, $"Failed to retrieve task: no target of this route keeps a task '{taskId}'.");
        }

        request["params"]!["taskId"] = upstreamId;
        var response = await ForwardAsync(session, target, request, downstream, cancellationToken);
        McpTasks.ComposeIds(response, target.Name, session.Prefixed);
        return response;
    }

    private async Task<JsonObject> ForwardByUriAsync(
        McpSession session, JsonObject request, JsonObject parameters, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        var uri = JsonRpc.GetString(parameters, "uri");
        if (string.IsNullOrEmpty(uri))
        {
            throw new McpGatewayException(JsonRpcErrorCodes.InvalidParams, $"{JsonRpc.Method(request)} requires params.uri.");
        }

        var (target, upstreamUri) = await ResolveAsync(session, s_resources, uri, "resource", cancellationToken);
        await guard.CheckAsync(session, RequestMethods.ResourcesRead, target, upstreamUri, static _ => Task.CompletedTask, cancellationToken);
        request["params"]!["uri"] = upstreamUri;
        var response = await ForwardAsync(session, target, request, downstream, cancellationToken);
        if (session.Prefixed && response["result"]?["contents"] is JsonArray contents)
        {
            foreach (var content in contents.OfType<JsonObject>())
            {
                if (JsonRpc.GetString(content, "uri") is { } contentUri)
                {
                    content["uri"] = FederatedNames.ComposeUri(target.Name, contentUri, prefixed: true);
                }
            }
        }

        return response;
    }

    private async Task<JsonObject> CompleteAsync(
        McpSession session, JsonObject request, JsonObject parameters, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        var reference = parameters["ref"] as JsonObject;
        var (kind, property) = JsonRpc.GetString(reference, "type") switch
        {
            "ref/prompt" => (s_prompts, "name"),
            "ref/resource" => (s_templates, "uri"),
            _ => throw new McpGatewayException(JsonRpcErrorCodes.InvalidParams, "completion/complete requires params.ref of type 'ref/prompt' or 'ref/resource'."),
        };

        var name = JsonRpc.GetString(reference, property)
            ?? throw new McpGatewayException(JsonRpcErrorCodes.InvalidParams, $"completion/complete requires params.ref.{property}.");
        var (target, upstreamName) = await ResolveAsync(session, kind, name, kind == s_prompts ? "prompt" : "resource template", cancellationToken);
        await guard.CheckAsync(session, kind == s_prompts ? RequestMethods.PromptsGet : RequestMethods.ResourcesRead, target, upstreamName,
            static _ => Task.CompletedTask, cancellationToken);
        var forwarded = request.DeepClone().AsObject();
        forwarded["params"]!["ref"]![property] = upstreamName;
        return await ForwardAsync(session, target, forwarded, downstream, cancellationToken);
    }

    private async Task<JsonObject> BroadcastRequestAsync(
        McpSession session, JsonObject request, ServerFeatures feature, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        var targets = session.Backend.Targets.Where(target => (McpUpstreams.KnownFeatures(session, target) ?? feature).HasFlag(feature)).ToList();
        var responses = await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                return await ForwardAsync(session, target, request, downstream, cancellationToken);
            }
            catch (McpGatewayException exception)
            {
                LogRequestFailed(logger, session.RouteKey, $"{JsonRpc.Method(request)} on {target.Name}", exception.Message);
                return null;
            }
        }));

        return responses.FirstOrDefault(response => response?["error"] is not null) is { } failed && targets.Count == 1
            ? failed
            : JsonRpcMessages.Result(request["id"], new JsonObject());
    }

    /// <summary>Sends <paramref name="request"/> to <paramref name="target"/> and returns its response with the client's id.</summary>
    private async Task<JsonObject> ForwardAsync(
        McpSession session, McpTarget target, JsonObject request, IMcpDownstream downstream, CancellationToken cancellationToken)
    {
        try
        {
            return await ExchangeAsync(session, target, request, downstream, cancellationToken, relayStreaming: true);
        }
        catch (UpstreamStreamPausedException)
        {
            throw;
        }
        catch (UpstreamException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new McpGatewayException(JsonRpcErrorCodes.TargetUnavailable, $"Target '{target.Name}' is unavailable: {exception.Message}", exception);
        }
    }

    private async Task<JsonObject> ExchangeAsync(
        McpSession session, McpTarget target, JsonObject request, IMcpDownstream? downstream, CancellationToken cancellationToken, bool relayStreaming = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var budget = session.TargetBudget();
        timeout.CancelAfter(budget);
        try
        {
            return await upstreams.ExchangeAsync(
                session,
                target,
                request,
                item => Relay(session, target, downstream, item),
                relayStreaming ? downstream!.PreferStream : null,
                timeout.Token);
        }
        catch (Exception exception) when (UserAuthorizationRequiredException.In(exception) is { } required)
        {
            // The target acts as each user, and this one has not authorized it: the client shows them where to.
            throw AuthorizationRequired(target, required);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(budget < session.TargetTimeout
                ? "no answer before the request's time ran out (the route's timeouts.requestMs)"
                : $"no answer within {session.TargetTimeout.TotalSeconds:0.#} s", exception);
        }
        catch (HttpRequestException exception)
        {
            throw new UpstreamException(exception.Message, exception);
        }
    }

    /// <summary>MCP's URL elicitation error: the user authorizes the target at the connect page, then tries again.</summary>
    private static McpGatewayException AuthorizationRequired(McpTarget target, UserAuthorizationRequiredException required)
    {
        var message = $"Target '{target.Name}': {required.Message}.";
        var elicitations = new JsonArray();
        if (required.ConnectUrl is { } url)
        {
            elicitations.Add(new JsonObject
            {
                ["mode"] = "url",
                ["elicitationId"] = $"connect:{required.Connection}",
                ["url"] = url,
                ["message"] = $"Authorize '{target.Name}' to act as you, then try again.",
            });
        }

        return new McpGatewayException(JsonRpcErrorCodes.UrlElicitationRequired, message, required)
        {
            Data = new JsonObject { ["elicitations"] = elicitations },
        };
    }

    /// <summary>Passes what a target sent during a request to the request's stream, under the route's names and ids.</summary>
    private static ValueTask Relay(McpSession session, McpTarget target, IMcpDownstream? downstream, UpstreamEvent item) =>
        downstream is null
            ? ValueTask.CompletedTask
            : downstream.SendAsync(
                item.Message is null ? null : McpNaming.ToClient(session, target.Name, item.Message),
                McpRelayIds.ForEvent(target.Name, item.EventId),
                item.Retry);

    /// <summary>The target that owns a client-facing resource URI and the URI it knows it by; null when none does.</summary>
    public async Task<(McpTarget Target, string UpstreamUri)?> FindResourceOwnerAsync(McpSession session, string uri, CancellationToken cancellationToken)
    {
        try
        {
            return await ResolveAsync(session, s_resources, uri, "resource", cancellationToken);
        }
        catch (McpGatewayException)
        {
            return null;
        }
    }

    /// <summary>The target that owns a client-facing name or URI, and the name or URI it knows it by.</summary>
    private async Task<(McpTarget Target, string UpstreamName)> ResolveAsync(
        McpSession session, ListKind kind, string name, string noun, CancellationToken cancellationToken)
    {
        var targets = session.Backend.Targets;
        if (session.Prefixed)
        {
            var split = kind.IsUri
                ? FederatedNames.TrySplitUri(name, out var targetName, out var upstreamName)
                : FederatedNames.TrySplit(name, out targetName, out upstreamName);
            if (split && session.FindTarget(targetName) is { } target)
            {
                return (target, upstreamName);
            }

            throw Unknown(noun, name);
        }

        if (targets.Count == 1)
        {
            return (targets[0], name);
        }

        // Unprefixed names over several targets (prefix mode 'never'): the owner is the target that lists the name.
        var owners = new List<McpTarget>();
        var listed = await Task.WhenAll(targets.Select(target => OffersAsync(session, target, kind, name, cancellationToken)));
        owners.AddRange(targets.Where((_, index) => listed[index]));
        if (owners.Count == 0 && kind == s_resources)
        {
            listed = await Task.WhenAll(targets.Select(target => OffersAsync(session, target, s_templates, name, cancellationToken)));
            owners.AddRange(targets.Where((_, index) => listed[index]));
        }

        return owners.Count switch
        {
            1 => (owners[0], name),
            0 => throw Unknown(noun, name),
            _ => throw new McpGatewayException(
                JsonRpcErrorCodes.InvalidParams,
                $"The {noun} '{name}' is offered by several targets ({string.Join(", ", owners.Select(owner => owner.Name))}); the route's prefix mode 'never' cannot tell them apart."),
        };
    }

    /// <summary>Lists a target's tools so the pins can judge them (a call that arrives before any listing on this replica).</summary>
    private async Task ObserveToolsAsync(McpSession session, McpTarget target, CancellationToken cancellationToken)
    {
        string? cursor = null;
        for (var page = 0; page < 100; page++)
        {
            var (items, next, _) = await ListPageAsync(session, target, s_tools, JsonRpc.Request(0, s_tools.Method, null), cursor, null, cancellationToken);
            foreach (var item in items.OfType<JsonObject>())
            {
                if (JsonRpc.GetString(item, s_tools.Key) is { } name)
                {
                    guard.Admit(session, s_tools.Method, target, name, item, item);
                }
            }

            if ((cursor = next) is null)
            {
                return;
            }
        }
    }

    private async Task<bool> OffersAsync(McpSession session, McpTarget target, ListKind kind, string name, CancellationToken cancellationToken)
    {
        string? cursor = null;
        for (var page = 0; page < 100; page++)
        {
            var (items, next, _) = await ListPageAsync(session, target, kind, JsonRpc.Request(0, kind.Method, null), cursor, null, cancellationToken);
            foreach (var item in items)
            {
                if (JsonRpc.GetString(item, kind.Key) is { } key && (key == name || (kind == s_templates && UriTemplateMatches(key, name))))
                {
                    return true;
                }
            }

            if ((cursor = next) is null)
            {
                return false;
            }
        }

        return false;
    }

    private static bool UriTemplateMatches(string template, string uri)
    {
        var pattern = "^" + TemplateVariable().Replace(Regex.Escape(template).Replace("\\{", "{", StringComparison.Ordinal), ".+?") + "$";
        return Regex.IsMatch(uri, pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
    }

    private static McpGatewayException Unknown(string noun, string name) => noun == "resource"
        ? new(JsonRpcErrorCodes.ResourceNotFound, $"Resource not found: '{name}' is not offered by this route.") { Data = new JsonObject { ["uri"] = name } }
        : new(JsonRpcErrorCodes.InvalidParams, $"Unknown {noun}: '{name}' is not offered by this route.");

    [GeneratedRegex(@"\{[^}]*\}", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateVariable();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: target {Target} skipped in the listing: {Reason}")]
    private static partial void LogTargetListFailed(ILogger logger, string route, string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: name {Name} from target {Target} collides with an earlier target's and is hidden")]
    private static partial void LogNameCollision(ILogger logger, string route, string name, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: {Method} answered with an error: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string route, string method, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: could not pass {Message} on to target {Target}: {Reason}")]
    private static partial void LogRelayFailed(ILogger logger, string route, string target, string message, string reason);

    /// <summary>One kind of federated list: its method, the array in its result, and the key that gets namespaced.</summary>
    private sealed record ListKind(string Method, string ItemsKey, string Key, ServerFeatures Feature, bool IsUri)
    {
        public string Compose(string target, string value, bool prefixed) => IsUri
            ? FederatedNames.ComposeUri(target, value, prefixed)
            : FederatedNames.Compose(target, value, prefixed);
    }
}

/// <summary>The gateway's list cursor: the next upstream cursor of every target that has more, base64url JSON.</summary>
internal static class McpCursor
{
    public static string Format(Dictionary<string, string> next) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(next, McpCursorJsonContext.Default.DictionaryStringString));

    public static bool TryParse(string cursor, out Dictionary<string, string>? pending)
    {
        pending = null;
        try
        {
            pending = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(cursor), McpCursorJsonContext.Default.DictionaryStringString);
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return false;
        }

        return pending is { Count: > 0 };
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class McpCursorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
