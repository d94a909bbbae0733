using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Upstream;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Upstreams;

/// <summary>
/// A target reached over one long-lived connection — a local process (stdio) or the legacy HTTP+SSE transport —
/// opened by the MCP C# SDK's transports and spoken raw. The connection belongs to one downstream session on one
/// replica. Requests get ids of the gateway's own so the answers find their way back; whatever else the target sends
/// goes to the request it concerns (by progress token, else the latest in flight) or, with none in flight, to the
/// session's open streams.
/// </summary>
internal sealed class ConnectedUpstream : IAsyncDisposable
{
    private readonly ITransport _transport;
    private readonly Action<JsonObject> _unsolicited;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reader;
    private long _nextId;
    private IDisposable? _lease;

    private ConnectedUpstream(ITransport transport, string configHash, Action<JsonObject> unsolicited)
    {
        _transport = transport;
        ConfigHash = configHash;
        _unsolicited = unsolicited;
        _reader = ReadAsync();
    }

    /// <summary>Identifies the target config the connection was opened for.</summary>
    public string ConfigHash { get; }

    /// <summary>The upstream session once initialized.</summary>
    public McpTargetSession? Session { get; set; }

    /// <summary>The target's initialize result.</summary>
    public JsonObject? InitializeResult { get; set; }

    public bool IsClosed => _reader.IsCompleted;

    /// <param name="inheritedEnvironment">
    /// The variables of the proxy's own environment a stdio process gets besides the few every program needs (see
    /// <see cref="StdioEnvironment"/>); nothing else of the proxy's environment reaches it.
    /// </param>
    public static async Task<ConnectedUpstream> ConnectAsync(
        McpTarget target, GatewayCaller? caller, string configHash, BackendHttpClients clients, ILoggerFactory loggerFactory, Action<JsonObject> unsolicited,
        IEnumerable<string> inheritedEnvironment, CancellationToken cancellationToken)
    {
        IClientTransport transport = target.TransportCase switch
        {
            McpTarget.TransportOneofCase.Stdio => new StdioClientTransport(
                new StdioClientTransportOptions
                {
                    Name = target.Name,
                    Command = target.Stdio.Command,
                    Arguments = [.. target.Stdio.Args],
                    InheritEnvironmentVariables = false,
                    EnvironmentVariables = StdioEnvironment(target.Stdio, inheritedEnvironment),
                    WorkingDirectory = string.IsNullOrEmpty(target.Stdio.WorkingDirectory) ? null : target.Stdio.WorkingDirectory,
                    ShutdownTimeout = TimeSpan.FromSeconds(2),
                },
                loggerFactory),
            McpTarget.TransportOneofCase.Sse => new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Name = target.Name,
                    Endpoint = new Uri(target.Sse.Url),
                    TransportMode = HttpTransportMode.Sse,
                    AdditionalHeaders = target.Sse.Headers.Count > 0 ? new Dictionary<string, string>(target.Sse.Headers) : null,
                },
                clients.WithContext(new BackendRequestContext(target.Auth, caller, target.Tls)),
                loggerFactory,
                ownsHttpClient: true),
            _ => throw new UpstreamException($"target '{target.Name}' is not reached over a connection"),
        };

        try
        {
            return new ConnectedUpstream(await transport.ConnectAsync(cancellationToken), configHash, unsolicited);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not UpstreamException)
        {
            throw new UpstreamException($"could not connect: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// A stdio process's whole environment: what every program needs to start (the SDK's curated set: PATH, HOME, the
    /// user and system directories), the variables the proxy's operator lets through by name, then the route's own.
    /// The proxy's credentials, connection strings and client secrets stay with the proxy.
    /// </summary>
    public static Dictionary<string, string?> StdioEnvironment(StdioTransport stdio, IEnumerable<string> inherited)
    {
        ArgumentNullException.ThrowIfNull(stdio);
        ArgumentNullException.ThrowIfNull(inherited);
        var environment = StdioClientTransportOptions.GetDefaultEnvironmentVariables();
        foreach (var name in inherited)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in stdio.Env)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Sends a request and returns its response; messages about it go to <paramref name="relay"/>.</summary>
    public async Task<JsonObject> RequestAsync(JsonObject request, Func<UpstreamEvent, ValueTask> relay, CancellationToken cancellationToken)
    {
        var upstreamId = "agw-" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pending = new Pending(request["id"]?.DeepClone(), request["params"]?["_meta"]?["progressToken"]?.DeepClone(), Interlocked.Read(ref _nextId));
        _pending[upstreamId] = pending;
        try
        {
            var forwarded = request.DeepClone().AsObject();
            forwarded["id"] = upstreamId;
            await SendRawAsync(forwarded, cancellationToken);
            await foreach (var message in pending.Messages.Reader.ReadAllAsync(cancellationToken))
            {
                if (JsonRpc.IsResponse(message))
                {
                    message["id"] = pending.ClientId?.DeepClone();
                    return message;
                }

                await relay(new UpstreamEvent(message, null, null));
            }

            throw new UpstreamException("the connection to the target closed");
        }
        finally
        {
            _pending.TryRemove(upstreamId, out _);
        }
    }

    /// <summary>Sends a notification or a response; a cancellation names the request by the id the target knows.</summary>
    public Task SendAsync(JsonObject message, CancellationToken cancellationToken)
    {
        if (JsonRpc.Method(message) == NotificationMethods.CancelledNotification && message["params"]?["requestId"] is { } clientId)
        {
            var match = _pending.FirstOrDefault(pair => JsonRpc.IdEquals(pair.Value.ClientId, clientId));
            if (match.Key is null)
            {
                return Task.CompletedTask;
            }

            message = message.DeepClone().AsObject();
            message["params"]!["requestId"] = match.Key;
        }

        return SendRawAsync(message, cancellationToken);
    }

    private async Task SendRawAsync(JsonObject message, CancellationToken cancellationToken)
    {
        var rpc = message.Deserialize<JsonRpcMessage>(McpJsonUtilities.DefaultOptions)
            ?? throw new UpstreamException("the message is not JSON-RPC");
        try
        {
            await _transport.SendMessageAsync(rpc, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new UpstreamException($"could not send to the target: {exception.Message}", exception);
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var rpc in _transport.MessageReader.ReadAllAsync(_closing.Token))
            {
                if (JsonSerializer.SerializeToNode(rpc, McpJsonUtilities.DefaultOptions) is not JsonObject message)
                {
                    continue;
                }

                if (Route(message) is { } pending)
                {
                    pending.Messages.Writer.TryWrite(message);
                }
                else if (!JsonRpc.IsResponse(message))
                {
                    _unsolicited(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception exception) when (exception is ChannelClosedException or IOException or InvalidOperationException)
        {
            // The process exited or the stream broke: in-flight requests fail below.
        }
        finally
        {
            foreach (var pending in _pending.Values)
            {
                pending.Messages.Writer.TryComplete();
            }
        }
    }

    /// <summary>The in-flight request a message from the target belongs to, if any.</summary>
    private Pending? Route(JsonObject message)
    {
        if (JsonRpc.IsResponse(message))
        {
            return message["id"]?.GetValueKind() == JsonValueKind.String ? _pending.GetValueOrDefault(message["id"]!.GetValue<string>()) : null;
        }

        if (JsonRpc.Method(message) == NotificationMethods.ProgressNotification && message["params"]?["progressToken"] is { } token)
        {
            return _pending.Values.FirstOrDefault(pending => JsonRpc.IdEquals(pending.ProgressToken, token));
        }

        return _pending.Values.MaxBy(pending => pending.Sequence);
    }

    /// <summary>What the connection holds while open (a stdio process's place in its route's count), released when it closes.</summary>
    public void Hold(IDisposable lease) => _lease = lease;

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _lease, null)?.Dispose();
        await _closing.CancelAsync();
        try
        {
            await _transport.DisposeAsync();
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or OperationCanceledException)
        {
            // The process or connection is gone already.
        }

        await _reader;
        _closing.Dispose();
    }

    private sealed record Pending(JsonNode? ClientId, JsonNode? ProgressToken, long Sequence)
    {
        public Channel<JsonObject> Messages { get; } = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleReader = true });
    }
}
