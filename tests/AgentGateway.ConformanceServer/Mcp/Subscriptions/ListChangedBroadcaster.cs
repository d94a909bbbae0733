using System.Collections.Concurrent;
using System.Threading.Channels;

namespace AgentGateway.ConformanceServer.Mcp.Subscriptions;

/// <summary>
/// Fans <c>*/list_changed</c> notifications out to every open <c>subscriptions/listen</c> stream of this process.
/// Stateless requests each get their own server instance, so the streams cannot share one; they share this instead.
/// </summary>
internal sealed class ListChangedBroadcaster
{
    private readonly ConcurrentDictionary<Channel<string>, byte> _listeners = new();

    /// <summary>Starts receiving notification method names; dispose the listener to stop.</summary>
    public Listener Listen()
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        _listeners.TryAdd(channel, 0);
        return new Listener(this, channel);
    }

    public void Publish(string notificationMethod)
    {
        foreach (var channel in _listeners.Keys)
        {
            channel.Writer.TryWrite(notificationMethod);
        }
    }

    internal sealed class Listener(ListChangedBroadcaster owner, Channel<string> channel) : IDisposable
    {
        public ChannelReader<string> Notifications => channel.Reader;

        public void Dispose()
        {
            owner._listeners.TryRemove(channel, out _);
            channel.Writer.TryComplete();
        }
    }
}
