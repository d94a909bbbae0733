using System.Diagnostics;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Pipeline.Traffic;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Resilience;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace AgentGateway.Proxy.Pipeline.Forwarding;

/// <summary>
/// Forwards a request that passed its route's policies to a backend through YARP's forwarder, applying the route's
/// traffic policies on the way: request header changes and URL rewrite, mirrors, the whole-request and per-try
/// timeouts, and retries. HTTP routes forward through it with their weighted, health-checked destinations; other
/// route kinds (A2A) with a single destination through
/// <see cref="ForwardAsync(HttpContext, RouteMatchResult, RequestScope, string, BackendAuth?, BackendTls?, HttpTransformer?, ForwardingMode?)"/>.
/// </summary>
/// <remarks>
/// Retries and mirrors need the request body more than once, so it is buffered when it is at most
/// <see cref="MaxBufferedBody"/> bytes with a declared length; a larger or chunked body is streamed once, without
/// retries or mirrors. A try is retried only while nothing of its answer has reached the client.
/// </remarks>
internal sealed partial class HttpForwarding(
    IHttpForwarder forwarder, BackendHttpClients clients, RequestMirrors mirrors, GatewayMetrics metrics, TimeProvider time, ILogger<HttpForwarding> logger)
{
    /// <summary>The largest request body buffered so that it can be sent again (retries, mirrors).</summary>
    public const int MaxBufferedBody = 64 * 1024;

    private static readonly ForwarderRequestConfig s_config = new() { ActivityTimeout = TimeSpan.FromMinutes(5) };

    /// <summary>No activity timeout for streams: a stream may stay quiet for long; the client's disconnect ends it.</summary>
    private static readonly ForwarderRequestConfig s_streaming = new() { ActivityTimeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// Forwards to one destination (e.g. an A2A agent) with the route's traffic policies. <paramref name="extra"/>
    /// replaces YARP's plain copy of the request and the response (e.g. to map the path or read a body); the gateway's
    /// Host, X-Forwarded-*, rewrite and backend auth still apply on top of it.
    /// </summary>
    public Task<ForwarderError> ForwardAsync(
        HttpContext context, RouteMatchResult match, RequestScope scope, string destinationUrl, BackendAuth? auth, BackendTls? tls,
        HttpTransformer? extra = null, ForwardingMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(destinationUrl);
        return ForwardAsync(context, match, scope, ForwardDestinations.Fixed(match.Route.Name, destinationUrl), auth, tls, preserveHost: false, extra, mode);
    }

    /// <summary>
    /// Forwards to the destinations <paramref name="destinations"/> picks for each try. The outcome is that of the
    /// last try: <see cref="ForwarderError.None"/> when an answer was forwarded; otherwise the gateway has answered
    /// (in the form <paramref name="mode"/> writes errors in) unless the response had started or the client left.
    /// </summary>
    public async Task<ForwarderError> ForwardAsync(
        HttpContext context, RouteMatchResult match, RequestScope scope, ForwardDestinations destinations, BackendAuth? auth, BackendTls? tls,
        bool preserveHost, HttpTransformer? extra = null, ForwardingMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(destinations);
        var traffic = scope.Policies.Traffic;
        var request = context.Request;
        var writeError = mode?.WriteError ?? WholeBody.WriteTextAsync;
        if (request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
        {
            // Declared larger than the proxy takes: refused before anything goes upstream (a chunked body is cut where it passes the limit).
            LimitMetrics.Exceeded(LimitMetrics.RequestBody);
            await WriteErrorAsync(context, writeError, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than the gateway accepts ({BoundedBody.Describe(context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize!.Value)}).");
            return ForwarderError.RequestBodyClient;
        }

        RemoveGatewayCredentials(request, scope.Policies, auth);
        traffic.RequestHeaders?.ApplyTo(request.Headers);
        var path = traffic.Rewrite is { RewritesPath: true } rewrite ? rewrite.Rewrite(request.Path.Value is { Length: > 0 } value ? value : "/", match) : null;
        var retry = traffic.Retry is { } policy && (policy.Allows(request.Method) || mode?.Idempotent == true) ? policy : null;

        byte[]? body = null;
        if (retry is not null || traffic.Mirrors.Count > 0)
        {
            body = await BufferBodyAsync(request);
            if (body is null)
            {
                retry = null;
            }
        }

        if (body is not null && traffic.Mirrors.Count > 0)
        {
            mirrors.Mirror(request, traffic.Mirrors, new PathString(path ?? request.Path.Value).ToUriComponent() + request.QueryString.ToUriComponent(), body);
        }

        var plan = new ForwardingPlan(BackendRequestContext.For(auth, scope.Caller, tls), traffic.Rewrite?.Hostname, preserveHost, path, retry);
        var pool = clients.ForwarderFor(tls);
        var inner = extra ?? HttpTransformer.Empty;
        var config = mode?.Streaming == true ? s_streaming : s_config;
        using var requestTimeout = traffic.RequestTimeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        var tries = 1 + (retry?.Attempts ?? 0);
        for (var attempt = 1; ; attempt++)
        {
            if (destinations.Pick() is not { } destination)
            {
                await WriteErrorAsync(context, writeError, StatusCodes.Status503ServiceUnavailable,
                    $"No healthy destination: every destination of route '{match.Route.Tenant}/{match.Route.Name}' is failing its health checks or ejected.");
                return ForwarderError.NoAvailableDestinations;
            }

            if (body is { Length: > 0 })
            {
                request.Body = new MemoryStream(body, writable: false);
            }

            var last = attempt >= tries;
            var transformer = new ForwardingTransformer(inner, plan, mayRetryStatus: !last);
            var timed = traffic.TryTimeout is not null || requestTimeout is not null ? new TryInvoker(pool, traffic.TryTimeout, requestTimeout?.Token ?? default, time) : null;
            var sent = Stopwatch.GetTimestamp();
            var error = await forwarder.SendAsync(context, destination.Url, timed ?? pool, config, transformer);
            metrics.Forwarded(
                match.Route.Tenant, match.Route.Name, RouteKinds.Of(match.Route) ?? string.Empty,
                transformer.DiscardedStatus != 0 ? transformer.DiscardedStatus : context.Response.StatusCode,
                error == ForwarderError.None || transformer.DiscardedStatus != 0 ? null : error.ToString(), Stopwatch.GetElapsedTime(sent));
            if (transformer.DiscardedStatus != 0)
            {
                destinations.Report(destination, failed: transformer.DiscardedStatus >= 500);
                LogRetrying(logger, match.Route.Name, destination.Name, attempt, transformer.DiscardedStatus.ToString(System.Globalization.CultureInfo.InvariantCulture));
                ResetResponse(context);
                if (!await BackOffAsync(context, writeError, retry!, attempt, requestTimeout))
                {
                    return ForwarderError.RequestTimedOut;
                }

                continue;
            }

            if (error == ForwarderError.None)
            {
                destinations.Report(destination, failed: context.Response.StatusCode >= 500);
                return error;
            }

            var failure = timed is { Failure: not TryFailure.None } ? timed.Failure : TryInvoker.Classify(context.Features.Get<IForwarderErrorFeature>()?.Exception);
            if (context.RequestAborted.IsCancellationRequested)
            {
                return error;
            }

            if (context.Features.Get<IForwarderErrorFeature>()?.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } && !context.Response.HasStarted)
            {
                // The client's body passed the limit on the way: its fault, not the destination's.
                LimitMetrics.Exceeded(LimitMetrics.RequestBody);
                await WriteErrorAsync(context, writeError, StatusCodes.Status413PayloadTooLarge, "The request body is larger than the gateway accepts.");
                return error;
            }

            destinations.Report(destination, failed: true);
            if (context.Response.HasStarted)
            {
                // Part of the answer reached the client: the request cannot be tried again.
                return error;
            }

            if (failure == TryFailure.RequestTimeout || requestTimeout?.IsCancellationRequested == true)
            {
                await WriteErrorAsync(context, writeError, StatusCodes.Status504GatewayTimeout, $"Upstream request timeout: no answer within {traffic.RequestTimeout!.Value.TotalMilliseconds} ms.");
                return error;
            }

            if (!last && retry!.Retries(failure))
            {
                LogRetrying(logger, match.Route.Name, destination.Name, attempt, failure.ToString());
                ResetResponse(context);
                if (!await BackOffAsync(context, writeError, retry, attempt, requestTimeout))
                {
                    return error;
                }

                continue;
            }

            await WriteErrorAsync(context, writeError, failure == TryFailure.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway, failure switch
            {
                TryFailure.Timeout => $"Upstream try timeout: no answer within {traffic.TryTimeout!.Value.TotalMilliseconds} ms.",
                TryFailure.ConnectFailure => $"Upstream connect failure: destination '{destination.Name}' could not be reached.",
                TryFailure.Reset => $"Upstream reset: destination '{destination.Name}' closed the connection before answering.",
                _ => $"Upstream error: {error}.",
            });
            return error;
        }
    }

    /// <summary>
    /// The credentials the route's own authentication consumed are the gateway's, not the backend's: they go upstream
    /// only when the backend's auth is passthrough.
    /// </summary>
    private static void RemoveGatewayCredentials(HttpRequest request, RoutePolicyRuntime policies, BackendAuth? auth)
    {
        if (!policies.HasAuthentication || auth?.MethodCase == BackendAuth.MethodOneofCase.Passthrough)
        {
            return;
        }

        request.Headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.Authorization);
        if (policies.ApiKeyAuth is not null)
        {
            request.Headers.Remove(policies.ApiKeyHeader);
        }
    }

    /// <summary>The body, read whole when it may be (declared length up to the limit, or none); null when it must stream.</summary>
    private static async Task<byte[]?> BufferBodyAsync(HttpRequest request)
    {
        var detection = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>();
        if (detection is { CanHaveBody: false } || request.ContentLength == 0)
        {
            return [];
        }

        if (request.ContentLength is not { } length || length > MaxBufferedBody)
        {
            return null;
        }

        var buffer = new byte[length];
        await request.Body.ReadExactlyAsync(buffer, request.HttpContext.RequestAborted);
        return buffer;
    }

    /// <summary>Waits before the next try; false when the whole request's time ran out meanwhile (answered 504) or the client left.</summary>
    private async Task<bool> BackOffAsync(HttpContext context, ForwardingErrorWriter writeError, RetryRuntime retry, int attempt, CancellationTokenSource? requestTimeout)
    {
        using var linked = requestTimeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, requestTimeout.Token);
        try
        {
            await Task.Delay(retry.Backoff(attempt), time, linked?.Token ?? context.RequestAborted);
            return true;
        }
        catch (OperationCanceledException) when (requestTimeout?.IsCancellationRequested == true && !context.RequestAborted.IsCancellationRequested)
        {
            await WriteErrorAsync(context, writeError, StatusCodes.Status504GatewayTimeout, "Upstream request timeout: no answer before the retries ran out of time.");
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Undoes what a discarded or failed try left on the response (status, reason, YARP's error); no header of it was copied.</summary>
    private static void ResetResponse(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>() is { } feature)
        {
            feature.ReasonPhrase = null;
        }

        context.Features.Set<IForwarderErrorFeature>(null);
    }

    private static Task WriteErrorAsync(HttpContext context, ForwardingErrorWriter writeError, int status, string message) =>
        context.Response.HasStarted ? Task.CompletedTask : writeError(context, status, message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route {Route}: try {Attempt} at destination {Destination} failed ({Reason}); trying again")]
    private static partial void LogRetrying(ILogger logger, string route, string destination, int attempt, string reason);
}

/// <summary>Writes the gateway's own answer when forwarding fails (no destination, timeout, unreachable backend).</summary>
internal delegate Task ForwardingErrorWriter(HttpContext context, int status, string message);

/// <summary>
/// How a route kind forwards: <see cref="Streaming"/> answers (SSE) get no activity timeout, and
/// <see cref="WriteError"/> writes failures in the kind's protocol (plain text when null).
/// </summary>
internal sealed record ForwardingMode(bool Streaming, ForwardingErrorWriter? WriteError)
{
    /// <summary>
    /// Whether the kind knows the request to be a read whatever its HTTP method (an A2A <c>GetTask</c> is a POST), so
    /// that a retry policy retries it without <c>allowNonIdempotent</c>.
    /// </summary>
    public bool Idempotent { get; init; }
}
