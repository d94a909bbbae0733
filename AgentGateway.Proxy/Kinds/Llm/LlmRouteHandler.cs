using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Exchange;
using AgentGateway.Proxy.Kinds.Llm.Guards;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Health;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.Reporting;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Health;
using AgentGateway.Proxy.Upstream.Resilience;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.Proxy.Kinds.Llm;

/// <summary>
/// Serves LLM routes: below the route's path (with or without <c>/v1</c>) OpenAI's <c>chat/completions</c>,
/// <c>responses</c>, <c>embeddings</c> and <c>models</c> and Anthropic's <c>messages</c>, after the route's policies. A request goes to the model's targets
/// in turn (see <see cref="LlmTargets"/>) through the <see cref="ProviderAdapter"/> of its client API and the
/// provider's kind; a try that cannot connect, times out or is answered 429 or 5xx goes to the next target, as long
/// as nothing reached the client. Streams are relayed event by event, never buffered (with answer guards, only the
/// last few characters of text are held back, see <see cref="StreamGuard"/>). The route's guards check the prompt
/// before any provider sees it, and the answer. Every error is in the client API's shape.
/// </summary>
internal sealed partial class LlmRouteHandler(
    RouteRateLimiter rateLimiter, BackendHttpClients clients, DestinationHealthRegistry health, LlmMetrics metrics,
    LlmWebhooks webhooks, LlmUsageRecorder usageRecorder, LlmKeyLimiter keyLimiter, LlmResponseStore responses, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<GatewayLimitsOptions> limits, ILogger<LlmRouteHandler> logger) : IRouteKind
{
    /// <summary>The largest request body read (images travel inline).</summary>
    public const int MaxRequestBody = 32 * 1024 * 1024;

    /// <summary>How long a try may take to answer when its provider sets no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public Route.BackendOneofCase Backend => Route.BackendOneofCase.Llm;

    public async Task RefuseAsync(HttpContext context, RouteRequest request, PolicyRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refusal);
        var relative = Relative(context, request.Match);
        foreach (var (name, value) in refusal.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        // Anthropic's clients send its version header; their errors go in its shape.
        var api = relative == "/messages" || context.Request.Headers.ContainsKey("anthropic-version") ? LlmClientApi.AnthropicMessages : LlmClientApi.OpenAiChat;
        await LlmErrors.WriteAsync(context, refusal.StatusCode, api.Error(refusal.StatusCode, refusal.Message));
        metrics.Record(request.Runtime.Key, api.Name, null, string.Empty, "refused", null, TimeSpan.Zero, null);
    }

    public async Task ServeAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        var route = request.Route;
        var runtime = request.Runtime;
        var relative = Relative(context, request.Match);
        var api = relative == "/messages" || context.Request.Headers.ContainsKey("anthropic-version") ? LlmClientApi.AnthropicMessages : LlmClientApi.OpenAiChat;
        var scope = request.Allowed;
        // Providers get the gateway's own requests: the route's header changes go on them.
        scope = scope.WithRequestHeaderChanges();
        switch (relative)
        {
            case "/chat/completions" when HttpMethods.IsPost(context.Request.Method):
                await ExchangeAsync(context, runtime, scope, LlmClientApi.OpenAiChat);
                break;
            case "/messages" when HttpMethods.IsPost(context.Request.Method):
                await ExchangeAsync(context, runtime, scope, LlmClientApi.AnthropicMessages);
                break;
            case "/embeddings" when HttpMethods.IsPost(context.Request.Method):
                await ExchangeAsync(context, runtime, scope, LlmClientApi.OpenAiEmbeddings);
                break;
            case "/responses" when HttpMethods.IsPost(context.Request.Method):
                await ExchangeAsync(context, runtime, scope, LlmClientApi.OpenAiResponses);
                break;
            case "/models" when HttpMethods.IsGet(context.Request.Method):
                await ModelsAsync(context, route.Llm, scope);
                break;
            case var stored when stored.StartsWith("/responses/", StringComparison.Ordinal) && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsDelete(context.Request.Method)):
                await StoredResponseAsync(context, route, scope, Uri.UnescapeDataString(stored["/responses/".Length..]));
                break;
            case "/chat/completions" or "/messages" or "/embeddings" or "/responses" or "/models":
                context.Response.Headers.Allow = relative == "/models" ? "GET" : "POST";
                await LlmErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, api.Error(StatusCodes.Status405MethodNotAllowed, $"{context.Request.Method} is not allowed here."));
                break;
            default:
                await LlmErrors.WriteAsync(context, StatusCodes.Status404NotFound, api.Error(StatusCodes.Status404NotFound,
                    $"Unknown endpoint: {relative}. This route serves /v1/chat/completions, /v1/responses, /v1/messages, /v1/embeddings and /v1/models.", "unknown_url"));
                break;
        }
    }

    /// <summary>One request of <paramref name="api"/>: to the model's targets in turn, answered in the API's shapes.</summary>
    private async Task ExchangeAsync(HttpContext context, RouteRuntime runtime, RequestScope scope, LlmClientApi api)
    {
        var route = runtime.Route;
        var started = time.GetTimestamp();
        var routeKey = RouteKey(route);
        var (request, problem) = await ReadRequestAsync(context.Request);
        if (request is null)
        {
            await LlmErrors.WriteAsync(context, problem!.Value.Status, api.Error(problem.Value.Status, problem.Value.Message));
            metrics.Record(routeKey, api.Name, null, string.Empty, "invalid", null, time.GetElapsedTime(started), null);
            return;
        }

        var model = request["model"] is JsonValue name && name.TryGetValue<string>(out var named) ? named : string.Empty;
        if (model.Length == 0)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status400BadRequest, api.Error(StatusCodes.Status400BadRequest, "You must provide a model parameter."));
            metrics.Record(routeKey, api.Name, null, model, "invalid", null, time.GetElapsedTime(started), null);
            return;
        }

        if (api.Unsupported(request) is { } unsupported)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status400BadRequest, api.Error(StatusCodes.Status400BadRequest, unsupported, "unsupported_parameter"));
            metrics.Record(routeKey, api.Name, null, model, "invalid", null, time.GetElapsedTime(started), null);
            return;
        }

        if (api == LlmClientApi.OpenAiResponses && await responses.ContinueAsync(route, scope.Caller, request, context.RequestAborted) is var (notFound, why))
        {
            var error = api.Error(notFound, why, notFound == StatusCodes.Status400BadRequest ? "previous_response_not_found" : null);
            if (error["error"] is JsonObject details && notFound == StatusCodes.Status400BadRequest)
            {
                details["param"] = "previous_response_id";
            }

            await LlmErrors.WriteAsync(context, notFound, error);
            metrics.Record(routeKey, api.Name, null, model, "invalid", null, time.GetElapsedTime(started), null);
            return;
        }

        if (LlmTargets.For(route.Llm, model, Random.Shared) is not { Count: > 0 } tries)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status404NotFound,
                api.Error(StatusCodes.Status404NotFound, $"The model '{model}' does not exist or you do not have access to it.", "model_not_found"));
            metrics.Record(routeKey, api.Name, null, model, "invalid", null, time.GetElapsedTime(started), null);
            return;
        }

        // Provider models of an API that does not serve the client's (Anthropic has no embeddings) are no targets for it.
        tries = HealthyFirst(route, [.. tries.Where(attempt => api.AdapterFor(attempt.Provider, attempt.Model) is not null)]);
        if (tries.Count == 0)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status400BadRequest,
                api.Error(StatusCodes.Status400BadRequest, $"No provider of model '{model}' serves the {api.Name} API.", "unsupported_api"));
            metrics.Record(routeKey, api.Name, null, model, "invalid", null, time.GetElapsedTime(started), null);
            return;
        }

        if (await keyLimiter.AdmitAsync(context, route, scope.Caller, model) is { } refusal)
        {
            foreach (var (header, value) in refusal.Headers)
            {
                context.Response.Headers.Append(header, value);
            }

            await LlmErrors.WriteAsync(context, refusal.Status, api.Error(refusal.Status, refusal.Message, refusal.Code));
            metrics.Record(routeKey, api.Name, null, model, "refused", null, time.GetElapsedTime(started), null);
            return;
        }

        var guards = runtime.KindState(0, static (route, _) => new LlmRouteState(LlmGuardSet.Compile(route.Policies?.LlmGuards))).Guards;
        if (guards is not null && await GuardPromptAsync(context, routeKey, api, request, model, guards) is false)
        {
            metrics.Record(routeKey, api.Name, null, model, "guarded", null, time.GetElapsedTime(started), null);
            return;
        }

        // Embeddings do not stream, whatever the request says.
        var stream = api != LlmClientApi.OpenAiEmbeddings && request["stream"] is JsonValue flag && flag.TryGetValue<bool>(out var streaming) && streaming;
        var wantsUsage = stream && api.WantsStreamUsage(request);
        string? lastFailure = null;
        var failureStatus = StatusCodes.Status502BadGateway;
        var retry = scope.Policies.Traffic.Retry;
        var plan = RetryPlan(tries, retry);
        var index = 0;

        // The route's timeouts: each try's wait for an answer (unless its provider sets its own), and the whole request's
        // across tries and failover; a stream, once it started, runs until it ends or the client leaves.
        var tryTimeout = scope.Policies.Traffic.TryTimeout ?? DefaultTimeout;
        using var requestTimeout = scope.Policies.Traffic.RequestTimeout is { } limit ? new CancellationTokenSource(limit, time) : null;
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
                message = adapter.CreateRequest(attempt.Provider, request, attempt.Model, stream);
            }
            catch (Exception exception) when (exception is LlmTranslationException or InvalidOperationException or FormatException)
            {
                // What this provider's API cannot take another target's may: the next one is tried, the last one's reason
                // answered. A field of the wrong JSON type (a number where a string belongs) is the client's error too.
                LogTryFailed(logger, routeKey, attempt.Provider.Name, attempt.Model, exception.Message);
                index = NextTry(plan, index, retriable: false, failover: true);
                if (index < plan.Count)
                {
                    continue;
                }

                var (reason, code) = exception is LlmTranslationException
                    ? (exception.Message, "unsupported_content")
                    : ($"The request has a field of the wrong type for the {api.Name} API: {exception.Message}", "invalid_request");
                await LlmErrors.WriteAsync(context, StatusCodes.Status400BadRequest, api.Error(StatusCodes.Status400BadRequest, reason, code));
                metrics.Record(routeKey, api.Name, attempt.Provider.Name, model, "invalid", null, time.GetElapsedTime(started), null);
                return;
            }

            using var sent = message;
            CopyAnthropicHeaders(context.Request, message, attempt.Provider);
            new BackendRequestContext(attempt.Provider.Auth, scope.Caller, attempt.Provider.Tls).Apply(message);
            HttpResponseMessage response;
            try
            {
                response = await clients.For(attempt.Provider.Tls).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
            {
                lastFailure = exception is OperationCanceledException ? $"provider '{attempt.Provider.Name}' did not answer in time" : $"provider '{attempt.Provider.Name}' could not be reached";
                failureStatus = exception is OperationCanceledException ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
                LogTryFailed(logger, routeKey, attempt.Provider.Name, attempt.Model, lastFailure);
                RecordTry(route, attempt.Provider, failed: true);
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
                RecordTry(route, attempt.Provider, failed);
                var next = NextTry(plan, index, retriable: retry?.RetriesStatus(status) == true, failover: failed);
                if (next < plan.Count)
                {
                    lastFailure = $"provider '{attempt.Provider.Name}' answered {status}";
                    LogTryFailed(logger, routeKey, attempt.Provider.Name, attempt.Model, lastFailure);
                    index = next;
                    continue;
                }

                if (status >= 400)
                {
                    var text = await ReadTextAsync(response, timeout.Token);
                    CopyRetryAfter(response, context.Response);
                    await LlmErrors.WriteAsync(context, status, adapter.ToError(status, text));
                    Finish(route, scope, api, attempt, model, status >= 500 || status == 429 ? "unavailable" : "provider_error", null, started, null);
                    return;
                }

                if (!stream)
                {
                    if (ProviderAdapter.ParseObject(await ReadTextAsync(response, timeout.Token)) is not { } answer)
                    {
                        await LlmErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
                            api.Error(StatusCodes.Status502BadGateway, $"Provider '{attempt.Provider.Name}' sent an answer that is not a JSON object."));
                        Finish(route, scope, api, attempt, model, "unavailable", null, started, null);
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
                        Finish(route, scope, api, attempt, model, "unavailable", null, started, null);
                        return;
                    }

                    var used = reported ?? LlmUsage.Estimate(LlmUsage.RequestTextLength(request), LlmUsage.TextLength(answer["choices"] ?? answer["content"]));
                    if (guards is not null && await GuardAnswerAsync(context, routeKey, api, translated, model, guards) is false)
                    {
                        // The provider did the work: its tokens count, the answer does not reach the client.
                        Finish(route, scope, api, attempt, model, "guarded", used, started, null);
                        await DebitTokensAsync(context, scope, used, route.Tenant);
                        return;
                    }

                    context.Response.StatusCode = StatusCodes.Status200OK;
                    context.Response.ContentType = "application/json";
                    if (api == LlmClientApi.OpenAiResponses)
                    {
                        // Stored before it is sent: the client may name it in its next request at once.
                        translated["previous_response_id"] = request["previous_response_id"]?.DeepClone();
                        await responses.SaveAsync(route, scope.Caller, request, translated, context.RequestAborted);
                    }

                    await context.Response.WriteAsync(translated.ToJsonString(), context.RequestAborted);
                    Finish(route, scope, api, attempt, model, "ok", used, started, null);
                    await DebitTokensAsync(context, scope, used, route.Tenant);
                    return;
                }

                // Streaming: the try's timeout covered the answer's headers; the client's disconnect ends the stream.
                timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                var state = new StreamState(attempt.Model, wantsUsage);
                var streamGuard = guards is { Answer.Count: > 0 } or { AnswerWebhooks.Count: > 0 } ? AnswerStreamGuard(context, routeKey, api, model, guards) : null;
                var guardsChunks = api.GuardedEvents != api;
                if (guardsChunks)
                {
                    // The adapter makes its events from chat chunks: the guards read those, inside it.
                    state.ChatGuard = streamGuard;
                }

                Func<JsonObject, Task>? onResponse = api == LlmClientApi.OpenAiResponses
                    ? done => responses.SaveAsync(route, scope.Caller, request, done, context.RequestAborted)
                    : null;
                var firstToken = await RelayStreamAsync(context, response, adapter, state, guardsChunks ? null : streamGuard, started, onResponse);
                if (streamGuard is not null)
                {
                    metrics.RecordGuards(routeKey, "answer", streamGuard.Hits);
                }

                state.Usage ??= LlmUsage.Estimate(LlmUsage.RequestTextLength(request), state.OutputCharacters);
                Finish(route, scope, api, attempt, model, context.RequestAborted.IsCancellationRequested ? "cancelled" : "ok", state.Usage, started, firstToken);
                await DebitTokensAsync(context, scope, state.Usage, route.Tenant);
                return;
            }
        }

        if (requestTimeout?.IsCancellationRequested == true)
        {
            lastFailure = $"no provider answered within the route's request timeout ({scope.Policies.Traffic.RequestTimeout!.Value.TotalSeconds:0.#} s)";
            failureStatus = StatusCodes.Status504GatewayTimeout;
        }

        await LlmErrors.WriteAsync(context, failureStatus, api.Error(failureStatus, $"No provider could serve model '{model}': {lastFailure}.", "provider_unavailable"));
        metrics.Record(routeKey, api.Name, null, model, "unavailable", null, time.GetElapsedTime(started), null);
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
    /// The end of a request a provider answered: its metrics, and its usage record for the control plane (by the
    /// caller's API key or subject, with the tokens, durations and outcome).
    /// </summary>
    private void Finish(Route route, RequestScope scope, LlmClientApi api, LlmTry attempt, string model, string outcome, LlmUsage? usage, long started, TimeSpan? firstToken)
    {
        var elapsed = time.GetElapsedTime(started);
        metrics.Record(RouteKey(route), api.Name, attempt.Provider.Name, model, outcome, usage, elapsed, firstToken);
        if (!usageRecorder.Reporting)
        {
            return;
        }

        usageRecorder.Record(new LlmUsageRecord
        {
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
            LogEjected(logger, RouteKey(route), provider.Name, passive.EjectionMs == 0 ? 30_000 : passive.EjectionMs);
        }
    }

    /// <summary>
    /// On an LLM route a rate-limit bucket counts tokens: admission took one, the answer's usage takes the rest once it
    /// is known, so a caller over its tokens waits for the refill. The same for a virtual key's tokens per minute.
    /// </summary>
    private async Task DebitTokensAsync(HttpContext context, RequestScope scope, LlmUsage? usage, string tenant)
    {
        if (scope.Policies.RateLimits is { } plan && usage is { } used && used.InputTokens + used.OutputTokens > 1)
        {
            await rateLimiter.DebitAsync(context, plan, scope.Caller, used.InputTokens + used.OutputTokens - 1);
        }

        await keyLimiter.DebitAsync(context, scope.Caller, usage, tenant);
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
    private async Task<bool> GuardPromptAsync(HttpContext context, string routeKey, LlmClientApi api, JsonObject request, string model, LlmGuardSet guards)
    {
        var slots = LlmTexts.Prompt(api, request);
        return await GuardAsync(context, routeKey, api, slots, "prompt", model, guards.Prompt, guards.Webhooks);
    }

    /// <summary>Checks a blocking answer (in the client API's shape) with the answer guards and the webhooks that ask about answers.</summary>
    private async Task<bool> GuardAnswerAsync(HttpContext context, string routeKey, LlmClientApi api, JsonObject answer, string model, LlmGuardSet guards)
    {
        var slots = LlmTexts.Answer(api, answer);
        return await GuardAsync(context, routeKey, api, slots, "answer", model, guards.Answer, guards.AnswerWebhooks);
    }

    private async Task<bool> GuardAsync(
        HttpContext context, string routeKey, LlmClientApi api, List<TextSlot> slots, string phase, string model,
        IReadOnlyList<CompiledGuard> patternGuards, IReadOnlyList<LlmWebhookGuard> webhookGuards)
    {
        if (slots.Count == 0 || (patternGuards.Count == 0 && webhookGuards.Count == 0))
        {
            return true;
        }

        var hits = new List<(string Guard, bool Rejected)>();
        var texts = slots.Select(slot => slot.Text).ToArray();
        var checkedTexts = LlmGuardSet.Apply(patternGuards, texts, phase, out var rejection, hits);
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

    /// <summary><c>GET</c> or <c>DELETE {path}/v1/responses/{id}</c>: a response the caller stored on the route.</summary>
    private async Task StoredResponseAsync(HttpContext context, Route route, RequestScope scope, string id)
    {
        var api = LlmClientApi.OpenAiResponses;
        try
        {
            if (HttpMethods.IsDelete(context.Request.Method))
            {
                if (await responses.DeleteAsync(route, scope.Caller, id, context.RequestAborted))
                {
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(new JsonObject { ["id"] = id, ["object"] = "response", ["deleted"] = true }.ToJsonString(), context.RequestAborted);
                    return;
                }
            }
            else if (await responses.FindAsync(route, scope.Caller, id, context.RequestAborted) is { } stored && stored["response"] is JsonObject response)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
                return;
            }

            await LlmErrors.WriteAsync(context, StatusCodes.Status404NotFound, api.Error(StatusCodes.Status404NotFound, $"Response with id '{id}' not found.", "not_found"));
        }
        catch (RateLimiterUnavailableException exception)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                api.Error(StatusCodes.Status503ServiceUnavailable, $"Stored responses cannot be read: {exception.Message}."));
        }
    }

    /// <summary>The guard of a streamed answer: its answer guards, and its answer webhooks asked about parts of the text.</summary>
    private StreamGuard AnswerStreamGuard(HttpContext context, string routeKey, LlmClientApi api, string model, LlmGuardSet guards)
    {
        var hits = new List<(string Guard, bool Rejected)>();
        var moderation = guards.AnswerWebhooks.Count == 0
            ? null
            : new StreamModeration(texts => webhooks.CheckAsync(guards.AnswerWebhooks, routeKey, "answer", model, texts, hits, context.RequestAborted), guards.StreamCheckChars);
        return new StreamGuard(guards.Answer, api.GuardedEvents, hits, moderation);
    }

    /// <summary>Relays the provider's stream as the client API's events, flushing each; returns when the first reached the client.</summary>
    private async Task<TimeSpan?> RelayStreamAsync(
        HttpContext context, HttpResponseMessage response, ProviderAdapter adapter, StreamState state, StreamGuard? guard, long started,
        Func<JsonObject, Task>? onResponse)
    {
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
                if (onResponse is not null && state.Response is { } done)
                {
                    // The Responses stream's last event: its response is stored before the client can name it.
                    await onResponse(done);
                    onResponse = null;
                }

                // The frame is encoded straight into the response's buffer, and flushed: each event reaches the client as it comes.
                if (sse.Name is not null)
                {
                    Encoding.UTF8.GetBytes("event: ", body);
                    Encoding.UTF8.GetBytes(sse.Name, body);
                    Encoding.UTF8.GetBytes("\n", body);
                }

                Encoding.UTF8.GetBytes("data: ", body);
                Encoding.UTF8.GetBytes(sse.Data, body);
                Encoding.UTF8.GetBytes("\n\n", body);
                await body.FlushAsync(context.RequestAborted);
                firstToken ??= time.GetElapsedTime(started);
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or OperationCanceledException)
        {
            // The client left, or the provider broke the stream: what was sent stays sent.
            LogStreamEnded(logger, exception.Message);
        }

        return firstToken;
    }

    private async Task ModelsAsync(HttpContext context, LlmBackend llm, RequestScope scope)
    {
        var list = new JsonArray();
        if (llm.Models.Count > 0)
        {
            foreach (var model in llm.Models)
            {
                list.Add(new JsonObject { ["id"] = model.Name, ["object"] = "model", ["created"] = 0, ["owned_by"] = model.Targets.FirstOrDefault()?.Provider ?? "gateway" });
            }
        }
        else if (llm.Providers.FirstOrDefault() is { } provider)
        {
            // Any model goes to the first provider: its own list is the route's.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(provider.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(provider.TimeoutMs) : DefaultTimeout);
            using var request = LlmModelLists.CreateRequest(provider);
            new BackendRequestContext(provider.Auth, scope.Caller, provider.Tls).Apply(request);
            try
            {
                using var response = await clients.For(provider.Tls).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var text = await ReadTextAsync(response, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    var status = (int)response.StatusCode;
                    await LlmErrors.WriteAsync(context, status, LlmClientApi.OpenAiChat.AdapterFor(provider, string.Empty)!.ToError(status, text));
                    return;
                }

                foreach (var model in LlmModelLists.ToOpenAi(provider, ProviderAdapter.ParseObject(text) ?? []))
                {
                    list.Add(model);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
            {
                await LlmErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
                    LlmClientApi.OpenAiChat.Error(StatusCodes.Status502BadGateway, $"Provider '{provider.Name}' could not list its models.", "provider_unavailable"));
                return;
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = list }.ToJsonString(), context.RequestAborted);
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
    private async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
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

    private static string RouteKey(Route route) => $"{route.Tenant}/{route.Name}";

    /// <summary>The request's path below the route's prefix (and <c>/v1</c>), without a trailing '/'.</summary>
    private static string Relative(HttpContext context, RouteMatchResult match)
    {
        var prefix = match.MatchedPrefix ?? string.Empty;
        var path = context.Request.Path.Value ?? string.Empty;
        var relative = path.Length >= prefix.Length ? path[prefix.Length..].TrimEnd('/') : string.Empty;
        return relative.StartsWith("/v1/", StringComparison.Ordinal) ? relative[3..] : relative;
    }

    /// <summary>Every provider, probed with its model list (or the check's path below its URL) when the route has an active check.</summary>
    public IEnumerable<HealthTarget> HealthTargetsOf(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var name = RouteKey(route);
        var check = route.Llm.ActiveHealthCheck;
        foreach (var provider in route.Llm.Providers)
        {
            var probe = check is null ? null : new HealthProbe(check, (check, provider), provider.Tls, () => ProviderProbe(check, provider));
            yield return new HealthTarget(DestinationHealthRegistry.KeyOf(route, provider), name, provider.Name, provider.Url, probe);
        }
    }

    /// <summary>A provider's probe: its model list (or the check's path below its URL), authenticated as its requests are.</summary>
    private static HttpRequestMessage ProviderProbe(ActiveHealthCheck check, LlmProvider provider)
    {
        var request = check.Path.Length == 0
            ? LlmModelLists.CreateRequest(provider)
            : new HttpRequestMessage(HttpMethod.Get, new Uri(provider.Url.TrimEnd('/') + check.Path));
        return new BackendRequestContext(provider.Auth, null, provider.Tls).Apply(request);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM route {Route}: provider {Provider} (model {Model}) failed: {Reason}; trying the next target")]
    private static partial void LogTryFailed(ILogger logger, string route, string provider, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM route {Route}: provider {Provider} ejected for {EjectionMs} ms after consecutive failures")]
    private static partial void LogEjected(ILogger logger, string route, string provider, uint ejectionMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "LLM stream ended early: {Reason}")]
    private static partial void LogStreamEnded(ILogger logger, string reason);
}

internal static class LlmGatewayExtensions
{
    public static IServiceCollection AddLlmGateway(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<LlmMetrics>();
        services.AddSingleton<LlmWebhooks>();
        services.AddSingleton<LlmResponseStore>();
        services.AddSingleton<LlmKeyLimiter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteKind, LlmRouteHandler>());
        return services;
    }
}
