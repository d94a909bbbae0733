using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Guards;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Guards;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.AccessLog;
using AgentGateway.Proxy.Telemetry.Reporting;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Health;
using AgentGateway.Proxy.Upstream.Resilience;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http.Features;

namespace AgentGateway.Proxy.Kinds.Llm.Exchange;

/// <summary>
/// Runs one request of a client API on an LLM route (<see cref="LlmExchange"/>): read and checked (model, parameters,
/// a stored conversation to continue, the model's targets, the caller's virtual key, the prompt guards), then sent to
/// the model's targets in turn through the <see cref="ProviderAdapter"/> of its API and the provider's kind — a try
/// that cannot connect, times out or is answered 429 or 5xx goes to the next target (after the route's retries of it),
/// as long as nothing reached the client — and answered in the API's shape: blocking, or streamed event by event
/// (with answer guards, only the last few characters of text are held back, see <see cref="StreamGuard"/>).
/// </summary>
internal sealed partial class LlmExchanges(
    RouteRateLimiter rateLimiter, BackendHttpClients clients, DestinationHealthRegistry health, LlmMetrics metrics,
    LlmWebhooks webhooks, LlmUsageRecorder usageRecorder, CallRecorder calls, LlmKeyLimiter keyLimiter, LlmResponseStore responses, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<GatewayLimitsOptions> limits, ILogger<LlmExchanges> logger)
{
    /// <summary>The largest request body read (images travel inline).</summary>
    public const int MaxRequestBody = 32 * 1024 * 1024;

    /// <summary>How long a try may take to answer when neither its provider nor the route sets a timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>One request of <paramref name="api"/>: checked, then to the model's targets in turn, answered in the API's shapes.</summary>
    public async Task RunAsync(HttpContext context, RouteRuntime runtime, RequestScope scope, LlmClientApi api)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(runtime);
        if (GatewayRequestRecord.Of(context) is { } record)
        {
            record.Operation = api.Name;
        }

        if (await PrepareAsync(context, runtime, scope, api) is { } exchange)
        {
            // A client span in OpenTelemetry's GenAI terms ("{operation} {model}"); each provider try is an HTTP client span beneath it.
            using var activity = GatewayActivities.Source.HasListeners()
                ? GatewayActivities.Source.StartActivity($"{api.Operation} {exchange.Model}", ActivityKind.Client)
                : null;
            activity?.SetTag("gen_ai.operation.name", api.Operation);
            activity?.SetTag("agentgateway.llm.api", api.Name);
            activity?.SetTag("gen_ai.request.model", exchange.Model);
            await SendToTargetsAsync(exchange);
        }
    }

    /// <summary>The request read, checked and admitted; null when it was answered instead (invalid, unknown, refused, guarded).</summary>
    private async Task<LlmExchange?> PrepareAsync(HttpContext context, RouteRuntime runtime, RequestScope scope, LlmClientApi api)
    {
        var started = time.GetTimestamp();
        var route = runtime.Route;
        // The model is a label once the route knows it: before that, what the client named is MetricLabels.Other.
        async Task<LlmExchange?> RefuseAsync(int status, JsonObject error, string model, string outcome = "invalid")
        {
            await LlmErrors.WriteAsync(context, status, error);
            metrics.Record(runtime.Key, api, null, model, outcome, null, time.GetElapsedTime(started), null);
            return null;
        }

        var (request, problem) = await ReadRequestAsync(context.Request);
        if (request is null)
        {
            return await RefuseAsync(problem!.Value.Status, api.Error(problem.Value.Status, problem.Value.Message), string.Empty);
        }

        var model = request["model"] is JsonValue name && name.TryGetValue<string>(out var named) ? named : string.Empty;
        if (model.Length == 0)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, api.Error(StatusCodes.Status400BadRequest, "You must provide a model parameter."), model);
        }

        if (api.Unsupported(request) is { } unsupported)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, api.Error(StatusCodes.Status400BadRequest, unsupported, "unsupported_parameter"), MetricLabels.Other);
        }

        if (LlmTargets.For(route.Llm, model, Random.Shared) is not { Count: > 0 } tries)
        {
            return await RefuseAsync(StatusCodes.Status404NotFound,
                api.Error(StatusCodes.Status404NotFound, $"The model '{model}' does not exist or you do not have access to it.", "model_not_found"), MetricLabels.Other);
        }

        // Provider models of an API that does not serve the client's (Anthropic has no embeddings) are no targets for it.
        tries = HealthyFirst(route, [.. tries.Where(attempt => api.AdapterFor(attempt.Provider, attempt.Model) is not null)]);
        if (tries.Count == 0)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest,
                api.Error(StatusCodes.Status400BadRequest, $"No provider of model '{model}' serves the {api.Name} API.", "unsupported_api"), model);
        }

        // The Responses API to providers that serve it: what the gateway could not account for or guard is refused.
        if (api == LlmClientApi.OpenAiResponses && tries.Any(attempt => api.AdapterFor(attempt.Provider, attempt.Model) is NativeResponsesAdapter)
            && NativeResponsesAdapter.Unsupported(request) is { } refused)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, api.Error(StatusCodes.Status400BadRequest, refused, "unsupported_parameter"), model);
        }

        // The Responses API: the one the request continues, and who keeps the model's conversations.
        string? continuedFrom = null;
        if (api == LlmClientApi.OpenAiResponses && request["previous_response_id"] is JsonValue previous && previous.TryGetValue<string>(out var previousId))
        {
            var continuation = await responses.ContinueAsync(route, scope.Caller, request, previousId, context.RequestAborted);
            if (continuation.Provider is { } keeper)
            {
                // The provider keeps that conversation: only it can continue it.
                tries = [.. tries.Where(attempt => attempt.Provider.Name == keeper && api.AdapterFor(attempt.Provider, attempt.Model) is NativeResponsesAdapter)];
                continuation = tries.Count > 0 ? continuation : continuation with
                {
                    Error = (StatusCodes.Status400BadRequest, $"Previous response with id '{previousId}' is kept by provider '{keeper}', which does not serve model '{model}' on this route."),
                };
            }
            else if (continuation.Error is null)
            {
                // Its conversation is now the request's input: no provider is to look it up.
                continuedFrom = previousId;
                request.Remove("previous_response_id");
            }

            if (continuation.Error is var (notFound, why))
            {
                var error = api.Error(notFound, why, notFound == StatusCodes.Status400BadRequest ? "previous_response_not_found" : null);
                if (error["error"] is JsonObject details && notFound == StatusCodes.Status400BadRequest)
                {
                    details["param"] = "previous_response_id";
                }

                return await RefuseAsync(notFound, error, model);
            }
        }

        if (await keyLimiter.AdmitAsync(context, route, scope.Caller, model) is { } refusal)
        {
            foreach (var (header, value) in refusal.Headers)
            {
                context.Response.Headers.Append(header, value);
            }

            return await RefuseAsync(refusal.Status, api.Error(refusal.Status, refusal.Message, refusal.Code), model, "refused");
        }

        // Embeddings do not stream, whatever the request says.
        var stream = api != LlmClientApi.OpenAiEmbeddings && request["stream"] is JsonValue flag && flag.TryGetValue<bool>(out var streaming) && streaming;
        var guards = runtime.KindState(0, static (route, _) => new LlmRouteState(LlmGuardSet.Compile(route.Policies?.LlmGuards))).Guards;
        var exchange = new LlmExchange(context, runtime, scope, api, request, model, tries, guards, started, stream, stream && api.WantsStreamUsage(request))
        {
            ContinuedFrom = continuedFrom,
        };
        if (guards is not null && await GuardPromptAsync(exchange, guards) is false)
        {
            metrics.Record(runtime.Key, api, null, model, "guarded", null, time.GetElapsedTime(started), null);
            RecordCall(exchange, null, "guarded", context.Response.StatusCode, null, null);
            return null;
        }

        return exchange;
    }

    /// <summary>
    /// To the model's targets in turn (each retried first when the route has a retry policy), bounded by the route's
    /// timeouts: each try's wait for an answer (unless its provider sets its own), and the whole request's across tries
    /// and failover; a stream, once it started, runs until it ends or the client leaves. Answers the last failure when
    /// no target answered.
    /// </summary>
    private async Task SendToTargetsAsync(LlmExchange exchange)
    {
        var (context, api, traffic) = (exchange.Context, exchange.Api, exchange.Scope.Policies.Traffic);
        var failure = (Reason: (string?)null, Status: StatusCodes.Status502BadGateway);
        var retry = traffic.Retry;
        var plan = RetryPlan(exchange.Tries, retry);
        var tryTimeout = traffic.TryTimeout ?? DefaultTimeout;
        using var requestTimeout = traffic.RequestTimeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        var index = 0;
        while (index < plan.Count)
        {
            var (attempt, retryNumber) = plan[index];
            if (retryNumber > 0)
            {
                await Task.Delay(retry!.Backoff(retryNumber), context.RequestAborted);
            }

            if (requestTimeout?.IsCancellationRequested == true)
            {
                break;
            }

            var adapter = api.AdapterFor(attempt.Provider, attempt.Model)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, requestTimeout?.Token ?? default);
            timeout.CancelAfter(attempt.Provider.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(attempt.Provider.TimeoutMs) : tryTimeout);
            HttpRequestMessage message;
            try
            {
                message = adapter.CreateRequest(attempt.Provider, exchange.Request, attempt.Model, exchange.Stream);
            }
            catch (Exception exception) when (exception is LlmTranslationException or InvalidOperationException or FormatException)
            {
                // What this provider's API cannot take another target's may: the next one is tried, the last one's reason
                // answered. A field of the wrong JSON type (a number where a string belongs) is the client's error too.
                LogTryFailed(logger, exchange.Runtime.Key, attempt.Provider.Name, attempt.Model, exception.Message);
                index = NextTry(plan, index, retriable: false, failover: true);
                if (index < plan.Count)
                {
                    continue;
                }

                var (reason, code) = exception is LlmTranslationException
                    ? (exception.Message, "unsupported_content")
                    : ($"The request has a field of the wrong type for the {api.Name} API: {exception.Message}", "invalid_request");
                await LlmErrors.WriteAsync(context, StatusCodes.Status400BadRequest, api.Error(StatusCodes.Status400BadRequest, reason, code));
                metrics.Record(exchange.Runtime.Key, api, attempt.Provider.Name, exchange.Model, "invalid", null, time.GetElapsedTime(exchange.Started), null);
                return;
            }

            using var sent = message;
            CopyAnthropicHeaders(context.Request, message, attempt.Provider);
            new BackendRequestContext(attempt.Provider.Auth, exchange.Scope.Caller, attempt.Provider.Tls).Apply(message);
            HttpResponseMessage response;
            var tried = time.GetTimestamp();
            try
            {
                response = await clients.For(attempt.Provider.Tls).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                metrics.RecordTry(exchange.Runtime.Key, attempt.Provider.Name, (int)response.StatusCode, null, time.GetElapsedTime(tried));
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
            {
                var timedOut = exception is OperationCanceledException;
                metrics.RecordTry(exchange.Runtime.Key, attempt.Provider.Name, 0, timedOut ? "timeout" : "unreachable", time.GetElapsedTime(tried));
                failure = (timedOut ? $"provider '{attempt.Provider.Name}' did not answer in time" : $"provider '{attempt.Provider.Name}' could not be reached",
                    timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway);
                LogTryFailed(logger, exchange.Runtime.Key, attempt.Provider.Name, attempt.Model, failure.Reason);
                RecordTry(exchange.Route, attempt.Provider, failed: true);
                var retriable = retry is not null && exception switch
                {
                    OperationCanceledException => retry.OnTimeout,
                    HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } => retry.OnConnectFailure,
                    _ => retry.OnReset,
                };
                index = NextTry(plan, index, retriable, failover: true);
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var failed = status == StatusCodes.Status429TooManyRequests || status >= 500;
                RecordTry(exchange.Route, attempt.Provider, failed);
                var next = NextTry(plan, index, retriable: retry?.RetriesStatus(status) == true, failover: failed);
                if (next < plan.Count)
                {
                    failure.Reason = $"provider '{attempt.Provider.Name}' answered {status}";
                    LogTryFailed(logger, exchange.Runtime.Key, attempt.Provider.Name, attempt.Model, failure.Reason);
                    index = next;
                    continue;
                }

                await AnswerAsync(exchange, attempt, adapter, response, timeout);
                return;
            }
        }

        if (requestTimeout?.IsCancellationRequested == true)
        {
            failure = ($"no provider answered within the route's request timeout ({traffic.RequestTimeout!.Value.TotalSeconds:0.#} s)", StatusCodes.Status504GatewayTimeout);
        }

        await LlmErrors.WriteAsync(context, failure.Status, api.Error(failure.Status, $"No provider could serve model '{exchange.Model}': {failure.Reason}.", "provider_unavailable"));
        metrics.Record(exchange.Runtime.Key, api, null, exchange.Model, "unavailable", null, time.GetElapsedTime(exchange.Started), null);
        RecordCall(exchange, null, "unavailable", failure.Status, failure.Reason, null);
    }

    /// <summary>The answer of the try that counts: the provider's error in the client API's shape, the answer, or the stream.</summary>
    private async Task AnswerAsync(LlmExchange exchange, LlmTry attempt, ProviderAdapter adapter, HttpResponseMessage response, CancellationTokenSource timeout)
    {
        var status = (int)response.StatusCode;
        if (status >= 400)
        {
            var text = await ReadTextAsync(response, timeout.Token);
            CopyRetryAfter(response, exchange.Context.Response);
            await LlmErrors.WriteAsync(exchange.Context, status, adapter.ToError(status, text));
            Finish(exchange, attempt, status >= 500 || status == 429 ? "unavailable" : "provider_error", null, null);
            return;
        }

        if (exchange.Stream)
        {
            // The try's timeout covered the answer's headers; the client's disconnect ends the stream.
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            await StreamAnswerAsync(exchange, attempt, adapter, response);
        }
        else
        {
            await WriteAnswerAsync(exchange, attempt, adapter, response, timeout.Token);
        }
    }

    /// <summary>A blocking answer: translated to the client API, checked by the answer guards, stored for the Responses API, written.</summary>
    private async Task WriteAnswerAsync(LlmExchange exchange, LlmTry attempt, ProviderAdapter adapter, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var (context, api, request) = (exchange.Context, exchange.Api, exchange.Request);
        if (ProviderAdapter.ParseObject(await ReadTextAsync(response, cancellationToken)) is not { } answer)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
                api.Error(StatusCodes.Status502BadGateway, $"Provider '{attempt.Provider.Name}' sent an answer that is not a JSON object."));
            Finish(exchange, attempt, "unavailable", null, null);
            return;
        }

        JsonObject translated;
        LlmUsage? reported;
        try
        {
            (translated, reported) = adapter.ToAnswer(answer, attempt.Model, request);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
                api.Error(StatusCodes.Status502BadGateway, $"Provider '{attempt.Provider.Name}' sent an answer its API does not define: {exception.Message}"));
            Finish(exchange, attempt, "unavailable", null, null);
            return;
        }

        var used = reported ?? LlmUsage.Estimate(LlmUsage.RequestTextLength(request), LlmUsage.TextLength(answer["choices"] ?? answer["content"] ?? answer["output"]));
        if (exchange.Guards is { } guards && await GuardAnswerAsync(exchange, translated, guards) is false)
        {
            // The provider did the work: its tokens count, the answer does not reach the client.
            Finish(exchange, attempt, "guarded", used, null);
            await DebitTokensAsync(exchange, used);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        if (api == LlmClientApi.OpenAiResponses)
        {
            // Stored before it is sent: the client may name it in its next request at once.
            await KeepResponseAsync(exchange, attempt, translated);
        }

        await context.Response.WriteAsync(translated.ToJsonString(), context.RequestAborted);
        Finish(exchange, attempt, "ok", used, null);
        await DebitTokensAsync(exchange, used);
    }

    /// <summary>A streamed answer: relayed as the client API's events, the answer guards reading them as they pass.</summary>
    private async Task StreamAnswerAsync(LlmExchange exchange, LlmTry attempt, ProviderAdapter adapter, HttpResponseMessage response)
    {
        var (context, api, guards) = (exchange.Context, exchange.Api, exchange.Guards);
        var state = new StreamState(attempt.Model, exchange.WantsUsage);
        var guardsChunks = adapter.GuardsChatChunks;
        var streamGuard = guards is { Answer.Count: > 0 } or { AnswerWebhooks.Count: > 0 } ? AnswerStreamGuard(exchange, guards, guardsChunks) : null;
        if (guardsChunks)
        {
            // The adapter makes its events from chat chunks: the guards read those, inside it.
            state.ChatGuard = streamGuard;
        }

        Func<JsonObject, Task>? onResponse = api == LlmClientApi.OpenAiResponses ? done => KeepResponseAsync(exchange, attempt, done) : null;
        var firstToken = await RelayStreamAsync(exchange, response, adapter, state, guardsChunks ? null : streamGuard, onResponse);
        if (streamGuard is not null)
        {
            metrics.RecordGuards(exchange.Runtime.Key, "answer", streamGuard.Hits);
        }

        state.Usage ??= LlmUsage.Estimate(LlmUsage.RequestTextLength(exchange.Request), state.OutputCharacters);
        Finish(exchange, attempt, context.RequestAborted.IsCancellationRequested ? "cancelled" : "ok", state.Usage, firstToken);
        await DebitTokensAsync(exchange, state.Usage);
    }

    /// <summary>
    /// A Responses API answer kept for the caller to name later: whole with its conversation when the gateway keeps the
    /// model's conversations (some target serves the API on top of Chat Completions), else the provider keeps it and
    /// the gateway only who may name it, and at which provider.
    /// </summary>
    private Task KeepResponseAsync(LlmExchange exchange, LlmTry attempt, JsonObject response)
    {
        var (route, caller, request, aborted) = (exchange.Route, exchange.Scope.Caller, exchange.Request, exchange.Context.RequestAborted);
        if (!exchange.KeepsConversations)
        {
            return responses.ClaimAsync(route, caller, request, response, attempt.Provider.Name, aborted);
        }

        response["previous_response_id"] = exchange.ContinuedFrom;
        return responses.SaveAsync(route, caller, request, response, aborted);
    }

    /// <summary>
    /// The tries of a request: each target, followed by its retries when the route has a retry policy (an LLM request
    /// changes nothing, so POSTs are retried whatever the policy says of them).
    /// </summary>
    private static List<(LlmTry Try, int Retry)> RetryPlan(IReadOnlyList<LlmTry> tries, RetryRuntime? retry) =>
        [.. tries.SelectMany(attempt => Enumerable.Range(0, 1 + (retry?.Attempts ?? 0)).Select(number => (attempt, number)))];

    /// <summary>
    /// The try after <paramref name="index"/> failed: its target's next retry when the failure is
    /// <paramref name="retriable"/> and retries are left; else the next target's first try when the failure fails
    /// over; else none (the plan's end).
    /// </summary>
    private static int NextTry(List<(LlmTry Try, int Retry)> plan, int index, bool retriable, bool failover)
    {
        if (retriable && index + 1 < plan.Count && plan[index + 1].Retry > 0)
        {
            return index + 1;
        }

        if (!failover)
        {
            return plan.Count;
        }

        var next = index + 1;
        while (next < plan.Count && plan[next].Retry > 0)
        {
            next++;
        }

        return next;
    }

    /// <summary>
    /// The audit record of an LLM request past the route's admission: the model asked for, the provider that answered
    /// (none when a guard refused the prompt or no provider could serve), the tokens, how it ended.
    /// </summary>
    private void RecordCall(LlmExchange exchange, LlmTry? attempt, string outcome, int status, string? reason, LlmUsage? usage)
    {
        if (!calls.Reporting)
        {
            return;
        }

        var record = calls.Create(
            exchange.Route.Tenant, exchange.Route.Name, RouteKinds.Llm, exchange.Api.Name, exchange.Scope.Caller.Subject, time.GetElapsedTime(exchange.Started));
        record.Target = exchange.Model;
        record.Upstream = attempt?.Provider.Name ?? string.Empty;
        record.ProviderModel = attempt?.Model ?? string.Empty;
        record.InputTokens = (ulong)Math.Max(0, usage?.InputTokens ?? 0);
        record.OutputTokens = (ulong)Math.Max(0, usage?.OutputTokens ?? 0);
        switch (outcome)
        {
            case "ok":
                break;
            case "guarded":
                CallRecorder.Failed(record, "refused", status, attempt is null ? "a guard rejected the prompt" : "a guard rejected the answer");
                break;
            case "cancelled":
                CallRecorder.Failed(record, "cancelled", 0, "the client left");
                break;
            case "unavailable":
                CallRecorder.Failed(record, "unavailable", status, reason);
                break;
            default:
                CallRecorder.Failed(record, "error", status, $"the provider answered {status}");
                break;
        }

        calls.Record(record);
    }

    /// <summary>
    /// The end of a request a provider answered: its metrics, and its usage record for the control plane (by the
    /// caller's API key or subject, with the tokens, durations and outcome).
    /// </summary>
    private void Finish(LlmExchange exchange, LlmTry attempt, string outcome, LlmUsage? usage, TimeSpan? firstToken)
    {
        var (route, scope, api, model) = (exchange.Route, exchange.Scope, exchange.Api, exchange.Model);
        var elapsed = time.GetElapsedTime(exchange.Started);
        metrics.Record(exchange.Runtime.Key, api, attempt.Provider.Name, model, outcome, usage, elapsed, firstToken);
        if (Activity.Current is { } activity && activity.Source == GatewayActivities.Source)
        {
            activity.SetTag("gen_ai.provider.name", attempt.Provider.Name);
            activity.SetTag("gen_ai.response.model", attempt.Model);
            activity.SetTag("gen_ai.usage.input_tokens", usage?.InputTokens);
            activity.SetTag("gen_ai.usage.output_tokens", usage?.OutputTokens);
            if (outcome != "ok")
            {
                GatewayActivities.Failed(activity, outcome);
            }
        }

        RecordCall(exchange, attempt, outcome, exchange.Context.Response.StatusCode, null, usage);
        if (GatewayRequestRecord.Of(exchange.Context) is { } record)
        {
            record.Target = model;
            record.InputTokens = usage?.InputTokens;
            record.OutputTokens = usage?.OutputTokens;
        }

        if (!usageRecorder.Reporting)
        {
            return;
        }

        usageRecorder.Record(new LlmUsageRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            Tenant = route.Tenant,
            Route = route.Name,
            ApiKeyId = scope.Caller.ApiKey?.Id ?? string.Empty,
            Subject = scope.Caller.Subject ?? string.Empty,
            Model = model,
            Provider = attempt.Provider.Name,
            ProviderModel = attempt.Model,
            InputTokens = (ulong)Math.Max(0, usage?.InputTokens ?? 0),
            OutputTokens = (ulong)Math.Max(0, usage?.OutputTokens ?? 0),
            Estimated = usage?.Estimated ?? false,
            DurationMs = (uint)Math.Min(uint.MaxValue, elapsed.TotalMilliseconds),
            TimeToFirstTokenMs = firstToken is { } ttft ? (uint)Math.Max(1, ttft.TotalMilliseconds) : 0,
            Outcome = outcome,
            Api = api.Name,
            At = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        });
    }

    /// <summary>With health checks, the tries of ejected or probe-failing providers go after every other, in their order.</summary>
    private IReadOnlyList<LlmTry> HealthyFirst(Route route, IReadOnlyList<LlmTry> tries)
    {
        if ((route.Llm.PassiveHealthCheck is null && route.Llm.ActiveHealthCheck is null) || tries.Count < 2)
        {
            return tries;
        }

        var now = time.GetUtcNow();
        var available = tries.Select(attempt => health.Get(DestinationHealthRegistry.KeyOf(route, attempt.Provider)).IsAvailable(now)).ToArray();
        return available.All(ok => ok) ? tries : [.. tries.Where((_, index) => available[index]), .. tries.Where((_, index) => !available[index])];
    }

    private void RecordTry(Route route, LlmProvider provider, bool failed)
    {
        if (route.Llm.PassiveHealthCheck is { } passive
            && health.Get(DestinationHealthRegistry.KeyOf(route, provider)).RecordRequest(failed, passive, time.GetUtcNow()))
        {
            LogEjected(logger, $"{route.Tenant}/{route.Name}", provider.Name, passive.EjectionMs == 0 ? 30_000 : passive.EjectionMs);
        }
    }

    /// <summary>
    /// On an LLM route a rate-limit bucket counts tokens: admission took one, the answer's usage takes the rest once it
    /// is known, so a caller over its tokens waits for the refill. The same for a virtual key's tokens per minute.
    /// </summary>
    private async Task DebitTokensAsync(LlmExchange exchange, LlmUsage? usage)
    {
        var (context, scope) = (exchange.Context, exchange.Scope);
        if (scope.Policies.RateLimits is { } plan && usage is { } used && used.InputTokens + used.OutputTokens > 1)
        {
            await rateLimiter.DebitAsync(context, plan, scope.Caller, used.InputTokens + used.OutputTokens - 1);
        }

        await keyLimiter.DebitAsync(context, scope.Caller, usage, exchange.Route.Tenant);
    }

    /// <summary>An Anthropic client's version and beta headers go to an Anthropic provider as they are.</summary>
    private static void CopyAnthropicHeaders(HttpRequest from, HttpRequestMessage to, LlmProvider provider)
    {
        if (provider.Kind != LlmProviderKind.Anthropic)
        {
            return;
        }

        foreach (var name in (ReadOnlySpan<string>)["anthropic-version", "anthropic-beta"])
        {
            if (from.Headers.TryGetValue(name, out var values))
            {
                to.Headers.Remove(name);
                to.Headers.TryAddWithoutValidation(name, values.ToString());
            }
        }
    }

    /// <summary>
    /// Checks the prompt: pattern and detector guards mask or reject its texts, then each webhook is asked. False when
    /// the request was refused (the error written).
    /// </summary>
    private async Task<bool> GuardPromptAsync(LlmExchange exchange, LlmGuardSet guards) =>
        await GuardAsync(exchange, LlmTexts.Prompt(exchange.Api, exchange.Request), "prompt", guards.Prompt, guards.Webhooks);

    /// <summary>Checks a blocking answer (in the client API's shape) with the answer guards and the webhooks that ask about answers.</summary>
    private async Task<bool> GuardAnswerAsync(LlmExchange exchange, JsonObject answer, LlmGuardSet guards) =>
        await GuardAsync(exchange, LlmTexts.Answer(exchange.Api, answer), "answer", guards.Answer, guards.AnswerWebhooks);

    private async Task<bool> GuardAsync(
        LlmExchange exchange, List<TextSlot> slots, string phase, IReadOnlyList<CompiledGuard> patternGuards, IReadOnlyList<LlmWebhookGuard> webhookGuards)
    {
        var (context, routeKey, api, model) = (exchange.Context, exchange.Runtime.Key, exchange.Api, exchange.Model);
        if (slots.Count == 0 || (patternGuards.Count == 0 && webhookGuards.Count == 0))
        {
            return true;
        }

        var hits = new List<(string Guard, bool Rejected)>();
        var texts = slots.Select(slot => slot.Text).ToArray();
        var checkedTexts = TextGuards.Apply(patternGuards, texts, phase, out var rejection, hits);
        var status = StatusCodes.Status400BadRequest;
        if (checkedTexts is not null && webhookGuards.Count > 0)
        {
            var verdict = await webhooks.CheckAsync(webhookGuards, routeKey, phase, model, checkedTexts, hits, context.RequestAborted);
            (rejection, status, checkedTexts) = (verdict.Rejection, verdict.Status, [.. verdict.Texts]);
        }

        metrics.RecordGuards(routeKey, phase, hits);
        if (rejection is not null)
        {
            await LlmErrors.WriteAsync(context, status, api.Error(status, rejection.Message, "guardrail_violation"));
            return false;
        }

        for (var index = 0; index < slots.Count; index++)
        {
            if (!ReferenceEquals(checkedTexts![index], texts[index]))
            {
                slots[index].Set(checkedTexts[index]);
            }
        }

        return true;
    }

    /// <summary>
    /// The guard of a streamed answer: its answer guards, and its answer webhooks asked about parts of the text; of the
    /// client API's events, or of the chat chunks an adapter makes them from.
    /// </summary>
    private StreamGuard AnswerStreamGuard(LlmExchange exchange, LlmGuardSet guards, bool chatChunks)
    {
        var (context, routeKey, api, model) = (exchange.Context, exchange.Runtime.Key, exchange.Api, exchange.Model);
        var hits = new List<(string Guard, bool Rejected)>();
        var moderation = guards.AnswerWebhooks.Count == 0
            ? null
            : new StreamModeration(texts => webhooks.CheckAsync(guards.AnswerWebhooks, routeKey, "answer", model, texts, hits, context.RequestAborted), guards.StreamCheckChars);
        return new StreamGuard(guards.Answer, chatChunks ? LlmClientApi.OpenAiChat : api, hits, moderation);
    }

    /// <summary>Relays the provider's stream as the client API's events, flushing each; returns when the first reached the client.</summary>
    private async Task<TimeSpan?> RelayStreamAsync(
        LlmExchange exchange, HttpResponseMessage response, ProviderAdapter adapter, StreamState state, StreamGuard? guard,
        Func<JsonObject, Task>? onResponse)
    {
        var context = exchange.Context;
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        TimeSpan? firstToken = null;
        var body = context.Response.BodyWriter;
        try
        {
            var received = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            // One event of a provider's stream is bounded like any answer (AWS's binary frames carry their own length, checked as read).
            await using var upstream = response.Content.Headers.ContentType?.MediaType?.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) == true
                ? new SseEventLimit(received, limits.Value.MaxUpstreamMessageBytes, "an event of the provider's stream")
                : received;
            var events = adapter.ToEventsAsync(adapter.ReadEventsAsync(upstream, context.RequestAborted), state);
            await foreach (var sse in guard is null ? events : guard.ApplyAsync(events))
            {
                // The Responses stream's last event (as the guards let it through): its response is stored before the client can name it.
                if (onResponse is not null && state.Response is not null && (guard is null ? state.Response : NativeResponsesAdapter.FinalResponse(sse)) is { } done)
                {
                    await onResponse(done);
                    onResponse = null;
                }

                // Flushed event by event: each reaches the client as it comes.
                WriteEvent(body, sse);
                await body.FlushAsync(context.RequestAborted);
                firstToken ??= time.GetElapsedTime(exchange.Started);
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or OperationCanceledException)
        {
            // The client left, or the provider broke the stream: what was sent stays sent, and a client still there is
            // told in its API's error event that the answer is cut.
            if (context.RequestAborted.IsCancellationRequested)
            {
                LogStreamEnded(logger, exception.Message);
            }
            else
            {
                LogProviderBrokeStream(logger, exchange.Runtime.Key, exception.Message);
                await WriteStreamErrorAsync(context, exchange.Api.StreamError($"The provider's stream broke before its end: {exception.Message}"));
            }
        }

        return firstToken;
    }

    /// <summary>One server-sent event's frame, encoded straight into the response's buffer.</summary>
    private static void WriteEvent(System.IO.Pipelines.PipeWriter body, SseEvent sse)
    {
        if (sse.Name is not null)
        {
            Encoding.UTF8.GetBytes("event: ", body);
            Encoding.UTF8.GetBytes(sse.Name, body);
            Encoding.UTF8.GetBytes("\n", body);
        }

        Encoding.UTF8.GetBytes("data: ", body);
        Encoding.UTF8.GetBytes(sse.Data, body);
        Encoding.UTF8.GetBytes("\n\n", body);
    }

    private static async Task WriteStreamErrorAsync(HttpContext context, SseEvent error)
    {
        try
        {
            WriteEvent(context.Response.BodyWriter, error);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            // The client left meanwhile.
        }
    }

    /// <summary>The request's JSON object, or the status and message of why there is none.</summary>
    private static async Task<(JsonObject? Chat, (int Status, string Message)? Problem)> ReadRequestAsync(HttpRequest request)
    {
        var body = await RequestBody.ReadAsync(request, MaxRequestBody, request.HttpContext.RequestAborted);
        if (body is null)
        {
            return (null, (StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {MaxRequestBody} bytes."));
        }

        // Read strictly (invalid UTF-8, lone surrogates, duplicate properties are refused here, not met later as a 500).
        var parsed = StrictJson.Parse(body, out var parseError);
        return parseError is not null
            ? (null, (StatusCodes.Status400BadRequest, $"The request body is not valid JSON: {parseError}"))
            : parsed is JsonObject chat
                ? (chat, null)
                : (null, (StatusCodes.Status400BadRequest, "The request body must be a JSON object."));
    }

    /// <summary>A provider's answer whole, bounded; an answer that cannot be read (broken, or larger than the bound) is empty, which no adapter takes.</summary>
    public async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedBody.ReadStringAsync(
                response.Content, limits.Value.MaxUpstreamMessageBytes, "the provider's answer", LimitMetrics.UpstreamMessage, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or MessageTooLargeException)
        {
            return string.Empty;
        }
    }

    private static void CopyRetryAfter(HttpResponseMessage from, HttpResponse to)
    {
        if (from.Headers.RetryAfter is { } retryAfter)
        {
            to.Headers.RetryAfter = retryAfter.ToString();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM route {Route}: provider {Provider} (model {Model}) failed: {Reason}; trying the next target")]
    private static partial void LogTryFailed(ILogger logger, string route, string provider, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM route {Route}: provider {Provider} ejected for {EjectionMs} ms after consecutive failures")]
    private static partial void LogEjected(ILogger logger, string route, string provider, uint ejectionMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM route {Route}: the provider's stream broke before its end: {Reason}")]
    private static partial void LogProviderBrokeStream(ILogger logger, string route, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "LLM stream ended early: {Reason}")]
    private static partial void LogStreamEnded(ILogger logger, string reason);
}
