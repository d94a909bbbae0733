using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Protocols;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// Lets stateless clients (2026-07-28) use targets of the session revisions that ask the client something mid-call
/// (sampling, elicitation, roots). The target's request cannot reach a stateless client, so the call is parked on this
/// replica with its stream open and the client gets an <c>input_required</c> result; the client's retry carries the
/// answers, which go to the target as its request's response, and the call carries on. The request state is sealed
/// and names the call (single use), its route and method; a parked call not resumed in time is dropped, which closes
/// the target's stream.
/// </summary>
internal sealed partial class McpInputBridge(
    StreamableHttpUpstream http,
    McpSessionTokens tokens,
    TimeProvider timeProvider,
    ILogger<McpInputBridge> logger) : IDisposable
{
    private const string StatePrefix = "agw.";
    private static readonly TimeSpan s_parkFor = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, ParkedCall> _parked = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="request"/> resumes a call this gateway parked.</summary>
    public static bool IsResume(JsonObject request) =>
        JsonRpc.GetString(request["params"], "requestState") is { } state && state.StartsWith(StatePrefix, StringComparison.Ordinal);

    /// <summary>Sends a stateless client's request to a target of the session revisions and follows its answer.</summary>
    public async Task<JsonObject> ExchangeAsync(
        McpSession session, McpTarget target, McpTargetSession upstream, JsonObject request, Func<UpstreamEvent, ValueTask> relay, CancellationToken cancellationToken)
    {
        var response = await http.PostAsync(target, session.Caller, upstream.SessionId, upstream.ProtocolVersion, request, cancellationToken, retry: session.Retry);
        var call = new ParkedCall(Guid.NewGuid().ToString("N"), session.RouteKey, target, upstream, response, request["id"]?.DeepClone(), JsonRpc.Method(request)!, session.Caller);
        return await FollowAsync(session, call, request["id"], relay, cancellationToken);
    }

    /// <summary>Resumes a parked call with the answers of the client's retry.</summary>
    public async Task<JsonObject> ResumeAsync(McpSession session, JsonObject request, Func<McpTarget, Func<UpstreamEvent, ValueTask>> relayFor, CancellationToken cancellationToken)
    {
        var id = request["id"];
        var parameters = request["params"]!.AsObject();
        var state = JsonRpc.GetString(parameters, "requestState")!;
        if (!tokens.TryUnprotectState(state[StatePrefix.Length..], out var plaintext)
            || JsonSerializer.Deserialize(plaintext, ParkedStateJsonContext.Default.ParkedState) is not { } parked
            || parked.Route != session.RouteKey || parked.Method != JsonRpc.Method(request))
        {
            return JsonRpcMessages.Error(id, JsonRpcErrorCodes.InvalidParams, "Invalid requestState: it was altered, or belongs to another request.");
        }

        Sweep();
        if (!_parked.TryGetValue(parked.Call, out var waiting) || !string.Equals(waiting.Caller.Subject, session.Caller.Subject, StringComparison.Ordinal)
            || !_parked.TryRemove(parked.Call, out var call))
        {
            return JsonRpcMessages.Error(id, JsonRpcErrorCodes.InvalidParams,
                "The call this requestState continues is gone: it expired, was resumed already, or waits on another gateway replica.");
        }

        var responses = parameters["inputResponses"] as JsonObject;
        var missing = call.Questions.Where(question => responses?[question.Key] is not JsonObject).ToList();
        if (missing.Count > 0)
        {
            // Ask again for what is missing; the call stays parked.
            return Park(call, id, missing);
        }

        foreach (var question in call.Questions)
        {
            var answer = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = question.UpstreamId.DeepClone(), ["result"] = responses![question.Key]!.DeepClone() };
            await AnswerUpstreamAsync(call, answer, cancellationToken);
        }

        call.Questions.Clear();
        return await FollowAsync(session, call, id, relayFor(call.Target), cancellationToken);
    }

    /// <summary>Reads the target's stream until its response (returned with the client's current id) or its next question (parks).</summary>
    private async Task<JsonObject> FollowAsync(McpSession session, ParkedCall call, JsonNode? clientId, Func<UpstreamEvent, ValueTask> relay, CancellationToken cancellationToken)
    {
        try
        {
            while (await call.Events.MoveNextAsync().AsTask().WaitAsync(cancellationToken))
            {
                var item = call.Events.Current;
                if (item.Message is not { } message)
                {
                    continue;
                }

                if (JsonRpc.IsResponse(message) && (JsonRpc.IdEquals(message["id"], call.UpstreamRequestId) || message["id"] is null))
                {
                    call.Dispose();
                    var answer = message.DeepClone().AsObject();
                    answer["id"] = clientId?.DeepClone();
                    return answer;
                }

                if (!JsonRpc.IsRequest(message))
                {
                    await relay(item);
                    continue;
                }

                var method = JsonRpc.Method(message)!;
                if (method == RequestMethods.Ping)
                {
                    await AnswerUpstreamAsync(call, JsonRpcMessages.Result(message["id"], new JsonObject()), cancellationToken);
                    continue;
                }

                if (!ClientCan(session, method))
                {
                    await AnswerUpstreamAsync(call, JsonRpcMessages.Error(message["id"], JsonRpcErrorCodes.MethodNotFound,
                        $"The client did not declare the capability '{method}' needs."), cancellationToken);
                    continue;
                }

                call.Questions.Add(new Question($"input-{call.Questions.Count + 1}", message["id"]!.DeepClone(), method, message["params"]?.DeepClone() as JsonObject));
                return Park(call, clientId, call.Questions);
            }

            call.Dispose();
            throw new UpstreamStreamPausedException(null, null);
        }
        catch
        {
            if (!_parked.ContainsKey(call.Id))
            {
                call.Dispose();
            }

            throw;
        }
    }

    /// <summary>Parks the call and answers the client with the questions it must answer.</summary>
    private JsonObject Park(ParkedCall call, JsonNode? clientId, IEnumerable<Question> questions)
    {
        var inputRequests = new JsonObject();
        foreach (var question in questions)
        {
            var input = new JsonObject { ["method"] = question.Method };
            if (question.Params is not null)
            {
                input["params"] = question.Params.DeepClone();
            }

            inputRequests[question.Key] = input;
        }

        var state = new ParkedState(call.Id, call.Route, call.Method);
        call.ParkedUntil = timeProvider.GetUtcNow() + s_parkFor;
        _parked[call.Id] = call;
        Sweep();
        LogParked(logger, call.Route, call.Target.Name, string.Join(", ", call.Questions.Select(question => question.Method)));
        return JsonRpcMessages.Result(clientId, new JsonObject
        {
            ["resultType"] = "input_required",
            ["inputRequests"] = inputRequests,
            ["requestState"] = StatePrefix + tokens.ProtectState(JsonSerializer.SerializeToUtf8Bytes(state, ParkedStateJsonContext.Default.ParkedState)),
        });
    }

    private async Task AnswerUpstreamAsync(ParkedCall call, JsonObject answer, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(call.Target, call.Caller, call.Upstream.SessionId, call.Upstream.ProtocolVersion, answer, cancellationToken);
        await foreach (var _ in response.ReadEventsAsync(cancellationToken))
        {
            // A response has no answer.
        }
    }

    private static bool ClientCan(McpSession session, string method)
    {
        var capabilities = session.ClientMeta?[McpMethods.ClientCapabilitiesKey] as JsonObject;
        return method switch
        {
            "sampling/createMessage" => capabilities?.ContainsKey("sampling") == true,
            "elicitation/create" => capabilities?.ContainsKey("elicitation") == true,
            "roots/list" => capabilities?.ContainsKey("roots") == true,
            _ => false,
        };
    }

    /// <summary>Drops parked calls whose client never came back; the target's stream is closed, which cancels the call.</summary>
    private void Sweep()
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (id, call) in _parked)
        {
            if (call.ParkedUntil < now && _parked.TryRemove(id, out var expired))
            {
                LogExpired(logger, expired.Route, expired.Target.Name);
                expired.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var call in _parked.Values)
        {
            call.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route {Route}: target {Target} asked the client ({Methods}); the call waits for the client's retry")]
    private static partial void LogParked(ILogger logger, string route, string target, string methods);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: a call to target {Target} waited for the client's input in vain and was dropped")]
    private static partial void LogExpired(ILogger logger, string route, string target);

    /// <summary>A target's question to the client, by the key the client answers it under.</summary>
    private sealed record Question(string Key, JsonNode UpstreamId, string Method, JsonObject? Params);

    /// <summary>A call whose target's stream stays open between the client's rounds.</summary>
    private sealed class ParkedCall(
        string id, string route, McpTarget target, McpTargetSession upstream, UpstreamResponse response, JsonNode? upstreamRequestId, string method,
        GatewayCaller caller) : IDisposable
    {
        public string Id { get; } = id;

        /// <summary>Who made the call; only the same caller may resume it.</summary>
        public GatewayCaller Caller { get; } = caller;

        public string Route { get; } = route;

        public McpTarget Target { get; } = target;

        public McpTargetSession Upstream { get; } = upstream;

        public JsonNode? UpstreamRequestId { get; } = upstreamRequestId;

        public string Method { get; } = method;

        public IAsyncEnumerator<UpstreamEvent> Events { get; } = response.ReadEventsAsync(CancellationToken.None).GetAsyncEnumerator();

        public List<Question> Questions { get; } = [];

        public DateTimeOffset ParkedUntil { get; set; }

        public void Dispose()
        {
            response.Dispose();
            _ = Events.DisposeAsync().AsTask().ContinueWith(static task => _ = task.Exception, TaskScheduler.Default);
        }
    }
}

/// <summary>What a sealed request state of a parked call says.</summary>
internal sealed record ParkedState(
    [property: JsonPropertyName("c")] string Call,
    [property: JsonPropertyName("r")] string Route,
    [property: JsonPropertyName("m")] string Method);

[JsonSerializable(typeof(ParkedState))]
internal sealed partial class ParkedStateJsonContext : JsonSerializerContext;
