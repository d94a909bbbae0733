using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Federation;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline.Draining;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// The server-sent event streams of MCP routes: one stream to the client fed by any number of producers (the targets'
/// own streams, the gateway's notifications, a legacy client's outbox), with keep-alives while it is quiet.
/// </summary>
internal sealed partial class McpStreams(
    McpUpstreams upstreams,
    IOptions<McpGatewayOptions> options,
    TimeProvider timeProvider,
    ProxyDrain drain,
    ILogger<McpStreams> logger)
{
    /// <summary>
    /// Serves an SSE stream fed by <paramref name="producers"/> (started once the stream is open, after
    /// <paramref name="opening"/> has written what goes first), with keep-alive comments while it is quiet, until the client leaves, every producer
    /// ends, or the proxy stops.
    /// </summary>
    public async Task StreamAsync(
        HttpContext context, LocalSession session, Func<CancellationToken, Task>? opening, Func<ChannelWriter<StreamItem>, CancellationToken, IReadOnlyList<Task>> producers)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, drain.StreamsEnded);
        var events = Channel.CreateBounded<StreamItem>(new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Task completion = Task.CompletedTask;
        try
        {
            McpSse.Start(context.Response);
            if (opening is not null)
            {
                await opening(stream.Token);
            }

            await context.Response.Body.FlushAsync(stream.Token);
            completion = Task.WhenAll(producers(events.Writer, stream.Token)).ContinueWith(_ => events.Writer.TryComplete(), TaskScheduler.Default);
            var keepAlive = options.Value.StreamKeepAliveInterval;
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(stream.Token);
                idle.CancelAfter(keepAlive);
                bool more;
                try
                {
                    more = await events.Reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!stream.IsCancellationRequested)
                {
                    session.Touch();
                    await McpSse.WriteKeepAliveAsync(context.Response, stream.Token);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                while (events.Reader.TryRead(out var item))
                {
                    session.Touch();
                    await McpSse.WriteEventAsync(context.Response, item.Message, item.EventId, item.Retry, stream.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, the session ended or the proxy is stopping: the stream closes, in the last case
            // telling the client when to reconnect (to another replica; its session id works on any).
            if (drain.StreamsEnded.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                await EndForDrainAsync(context);
            }
        }
        finally
        {
            await stream.CancelAsync();
            await completion;
        }
    }

    private async Task EndForDrainAsync(HttpContext context)
    {
        try
        {
            if (!context.Response.HasStarted)
            {
                McpSse.Start(context.Response);
            }

            await McpSse.WriteEventAsync(context.Response, null, null, drain.ReconnectHint, context.RequestAborted);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client left meanwhile.
        }
    }

    /// <summary>Relays one target's GET stream, reconnecting (with its last event id) when the target ends it.</summary>
    public async Task PumpTargetAsync(
        McpSession session, McpTarget target, string? lastEventId, bool resume, ChannelWriter<StreamItem> writer, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await upstreams.OpenStreamAsync(session, target, lastEventId, cancellationToken);
                if (response is null)
                {
                    return;
                }

                await foreach (var item in response.ReadEventsAsync(cancellationToken))
                {
                    lastEventId = item.EventId ?? lastEventId;
                    delay = item.Retry ?? delay;
                    var message = item.Message is null ? null : McpNaming.ToClient(session, target.Name, item.Message);
                    await writer.WriteAsync(new StreamItem(message, McpRelayIds.ForEvent(target.Name, item.EventId), item.Retry), cancellationToken);
                }

                if (resume)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is UpstreamException or HttpRequestException or IOException)
            {
                LogTargetStreamFailed(logger, session.RouteKey, target.Name, exception.Message);
                if (resume)
                {
                    return;
                }

                delay = TimeSpan.FromSeconds(Math.Min(Math.Max(delay.TotalSeconds * 2, 1), 30));
            }

            try
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Relays the gateway's own notifications for the session (those <paramref name="filter"/> keeps, as it shapes them).</summary>
    public static async Task PumpListenerAsync(
        Channel<JsonObject> listener, Func<JsonObject, JsonObject?> filter, ChannelWriter<StreamItem> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var notification in listener.Reader.ReadAllAsync(cancellationToken))
            {
                if (filter(notification) is { } kept)
                {
                    await writer.WriteAsync(new StreamItem(kept, null, null), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }


    [LoggerMessage(Level = LogLevel.Debug, Message = "Route {Route}: target {Target}'s stream failed: {Reason}")]
    private static partial void LogTargetStreamFailed(ILogger logger, string route, string target, string reason);
}

/// <summary>One event of a stream to the client: a message (or none, for a retry hint alone), its event id and retry.</summary>
internal readonly record struct StreamItem(JsonObject? Message, string? EventId, TimeSpan? Retry);
