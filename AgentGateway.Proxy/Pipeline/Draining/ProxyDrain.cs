using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Pipeline.Draining;

/// <summary>
/// The proxy's way out. On the stop signal it starts draining: <c>/readyz</c> fails, every connection that carries
/// a request is asked to close once that request is done (HTTP/1.1 <c>Connection: close</c>, HTTP/2 <c>GOAWAY</c>),
/// and new requests are still served for <see cref="ShutdownOptions.DrainDelay"/>. Then <see cref="StreamsEnded"/>
/// fires: open event streams, which would otherwise hold the process until the timeout, end with a reconnect hint so
/// their clients resume on another replica; requests in flight get <see cref="ShutdownOptions.Timeout"/> to finish.
/// </summary>
internal sealed partial class ProxyDrain(IOptions<ShutdownOptions> options, TimeProvider timeProvider, ILogger<ProxyDrain> logger)
    : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _streamsEnded = new();
    private volatile bool _draining;

    /// <summary>Whether the stop signal has come.</summary>
    public bool IsDraining => _draining;

    /// <summary>Cancelled when the drain delay is over and the listener is about to close: long-lived streams end.</summary>
    public CancellationToken StreamsEnded => _streamsEnded.Token;

    /// <summary>The SSE <c>retry</c> a stream ended by the drain sends before it closes.</summary>
    public TimeSpan ReconnectHint => options.Value.ReconnectHint;

    /// <summary>Asks the connection of <paramref name="context"/> to close after this request, while draining.</summary>
    public void CloseAfterRequest(HttpContext context)
    {
        if (_draining)
        {
            context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>()?.RequestClose();
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var delay = options.Value.DrainDelay;
        LogDraining(logger, delay, options.Value.Timeout);
        try
        {
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's own shutdown timeout ran out first: stop now.
        }

        await _streamsEnded.CancelAsync();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _streamsEnded.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: draining for {DrainDelay}, then {Timeout} for requests in flight")]
    private static partial void LogDraining(ILogger logger, TimeSpan drainDelay, TimeSpan timeout);
}
