using AgentGateway.Proxy.Pipeline.Forwarding;
using AgentGateway.Proxy.Upstream;

namespace AgentGateway.Proxy.Pipeline.Traffic;

/// <summary>
/// Sends fire-and-forget copies of requests to a route's mirrors. A copy never slows or fails the request it copies:
/// it is built before the request goes on, sent in the background with its own timeout, its answer discarded; when
/// too many copies are in flight new ones are dropped.
/// </summary>
internal sealed partial class RequestMirrors(BackendHttpClients clients, ILogger<RequestMirrors> logger)
{
    /// <summary>How many copies may be in flight at once across all routes.</summary>
    public const int MaxInFlight = 64;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private int _inFlight;

    /// <summary>Copies the request to each mirror whose share it falls in.</summary>
    /// <param name="pathAndQuery">The path and query as sent upstream (after any rewrite).</param>
    /// <param name="body">The request's buffered body (empty when it has none).</param>
    public void Mirror(HttpRequest request, IReadOnlyList<MirrorTarget> mirrors, string pathAndQuery, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(mirrors);
        foreach (var mirror in mirrors)
        {
            if (mirror.Percentage < 100 && Random.Shared.NextDouble() * 100 >= mirror.Percentage)
            {
                continue;
            }

            if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
            {
                Interlocked.Decrement(ref _inFlight);
                LogDropped(logger, mirror.BaseUrl);
                continue;
            }

            HttpRequestMessage copy;
            try
            {
                copy = Copy(request, mirror, pathAndQuery, body);
            }
            catch (Exception exception) when (exception is UriFormatException or InvalidOperationException or FormatException)
            {
                Interlocked.Decrement(ref _inFlight);
                LogFailed(logger, mirror.BaseUrl, exception.Message);
                continue;
            }

            _ = SendAsync(copy, mirror.BaseUrl);
        }
    }

    private static HttpRequestMessage Copy(HttpRequest request, MirrorTarget mirror, string pathAndQuery, ReadOnlyMemory<byte> body)
    {
        var copy = new HttpRequestMessage(new HttpMethod(request.Method), mirror.BaseUrl + pathAndQuery);
        if (body.Length > 0)
        {
            copy.Content = new ReadOnlyMemoryContent(body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (ForwardingHeaders.IsHopByHop(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!copy.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && copy.Content is not null)
            {
                copy.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return copy;
    }

    private async Task SendAsync(HttpRequestMessage copy, string mirror)
    {
        try
        {
            // Off the request's thread at once: the primary request does not wait for the copy's connection.
            await Task.Yield();
            using var timeout = new CancellationTokenSource(s_timeout);
            using var response = await clients.For(null).SendAsync(copy, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
        {
            LogFailed(logger, mirror, exception.Message);
        }
        finally
        {
            copy.Dispose();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mirror {Mirror} is saturated; a copy was dropped")]
    private static partial void LogDropped(ILogger logger, string mirror);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A copy to mirror {Mirror} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string mirror, string reason);
}
