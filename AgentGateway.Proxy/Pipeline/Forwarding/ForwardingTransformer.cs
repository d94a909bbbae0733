using AgentGateway.Proxy.Telemetry.AccessLog;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Resilience;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace AgentGateway.Proxy.Pipeline.Forwarding;

/// <summary>
/// Shapes one try of a forwarded request: the request as the base transformer copies it (YARP's plain copy, or the
/// caller's own), then the Host (the destination's, the client's with preserve_host, or the rewrite's), X-Forwarded-*,
/// the rewritten path and the backend's auth and TLS context. An answer whose status the retry policy takes is
/// discarded before anything reaches the client, so the next try can go.
/// </summary>
internal sealed class ForwardingTransformer(HttpTransformer inner, ForwardingPlan plan, bool mayRetryStatus) : HttpTransformer
{
    /// <summary>The status of an answer that was discarded to be retried, or 0.</summary>
    public int DiscardedStatus { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        plan.Backend?.Apply(proxyRequest);
        if (plan.Host is not null || plan.PreserveHost)
        {
            proxyRequest.Headers.Host = plan.Host ?? request.Host.Value;
        }
        else if (plan.Backend?.Tls is not { Sni.Length: > 0 })
        {
            // The destination's own authority (the client's Host is not copied); with an SNI, Apply set it.
            proxyRequest.Headers.Host = null;
        }

        var headers = proxyRequest.Headers;
        var clientAddress = httpContext.Connection.RemoteIpAddress?.ToString();
        if (clientAddress is not null)
        {
            var forwarded = request.Headers["X-Forwarded-For"].ToString();
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", forwarded.Length > 0 ? $"{forwarded}, {clientAddress}" : clientAddress);
        }

        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        if (request.Host.HasValue)
        {
            headers.Remove("X-Forwarded-Host");
            headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
        }

        if (plan.Path is { } path)
        {
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(path), request.QueryString);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (mayRetryStatus && proxyResponse is not null && plan.Retry!.RetriesStatus((int)proxyResponse.StatusCode))
        {
            // Nothing of this answer has been copied to the client yet: drop it and try again.
            DiscardedStatus = (int)proxyResponse.StatusCode;
            return false;
        }

        var copied = await inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (copied && proxyResponse is not null && httpContext.Response.ContentLength is null)
        {
            // A body of no declared length (chunked, or until the connection closes): the access log counts it.
            GatewayRequestRecord.Of(httpContext)?.CountSent(httpContext);
        }

        return copied;
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
}

/// <summary>
/// What every try of one forwarded request shares: the backend context (null when the request needs no auth, caller
/// headers or SNI), Host, rewritten path and retry policy.
/// </summary>
internal sealed record ForwardingPlan(BackendRequestContext? Backend, string? Host, bool PreserveHost, string? Path, RetryRuntime? Retry);

internal static class ForwardingHeaders
{
    /// <summary>Request headers that describe the hop, not the request: not copied to mirrors.</summary>
    public static bool IsHopByHop(string name) =>
        name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.KeepAlive, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.Upgrade, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.TE, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ProxyAuthorization, StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith(':');
}
