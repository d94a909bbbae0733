using System.Net.Sockets;

namespace AgentGateway.Proxy.Upstream.Resilience;

/// <summary>
/// Sends one try of a forwarded request through the backend's pool, bounded by the try's and the whole request's
/// timeouts until the response headers arrive (the body then streams on the forwarder's own token), and tells
/// which of the two ended it. Used only on routes with a timeout; other failures are read from the forwarder's error
/// (<see cref="Classify"/>).
/// </summary>
internal sealed class TryInvoker(HttpMessageInvoker pool, TimeSpan? tryTimeout, CancellationToken requestTimeout, TimeProvider time)
    : HttpMessageInvoker(s_noHandler, disposeHandler: false)
{
    private static readonly NoHandler s_noHandler = new();

    public TryFailure Failure { get; private set; }

    public override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        CancellationTokenSource? tryTimer = null;
        CancellationTokenSource? linked = null;
        try
        {
            var token = cancellationToken;
            if (tryTimeout is { } timeout || requestTimeout.CanBeCanceled)
            {
                tryTimer = tryTimeout is { } value ? new CancellationTokenSource(value, time) : null;
                linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, requestTimeout, tryTimer?.Token ?? default);
                token = linked.Token;
            }

            return await pool.SendAsync(request, token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && requestTimeout.IsCancellationRequested)
        {
            Failure = TryFailure.RequestTimeout;
            throw;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && tryTimer?.IsCancellationRequested == true)
        {
            Failure = TryFailure.Timeout;
            throw;
        }
        finally
        {
            linked?.Dispose();
            tryTimer?.Dispose();
        }
    }

    /// <summary>The kind of failure the exception of a failed try (YARP's <c>IForwarderErrorFeature.Exception</c>) is.</summary>
    public static TryFailure Classify(Exception? exception) => exception is not HttpRequestException failure ? TryFailure.Other : failure.HttpRequestError switch
    {
        HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError => TryFailure.ConnectFailure,
        HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse => TryFailure.Reset,
        _ when failure.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } => TryFailure.ConnectFailure,
        _ when failure.InnerException is IOException => TryFailure.Reset,
        _ => TryFailure.Other,
    };

    /// <summary>The base type needs a handler; every send goes to the pool instead.</summary>
    private sealed class NoHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
