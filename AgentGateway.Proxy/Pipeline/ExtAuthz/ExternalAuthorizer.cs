using System.Collections.Concurrent;
using System.Text;
using AgentGateway.Contracts.Envoy.Auth;
using AgentGateway.Proxy.Upstream;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using EnvoyAuthorization = AgentGateway.Contracts.Envoy.Auth.Authorization;
using ExternalAuthorizationPolicy = AgentGateway.Contracts.V1.ExternalAuthorization;

namespace AgentGateway.Proxy.Pipeline.ExtAuthz;

/// <summary>
/// Asks a route's external authorization service about a request, in Envoy's ext_authz protocol: over gRPC
/// (<c>envoy.service.auth.v3.Authorization/Check</c>) or plain HTTP (the request's headers sent to the service; a 2xx
/// answer allows). A service that fails or does not answer in time allows or denies as the policy's failure mode says.
/// </summary>
internal sealed partial class ExternalAuthorizer(BackendHttpClients clients, TimeProvider time, ILogger<ExternalAuthorizer> logger) : IDisposable
{
    private const int DefaultTimeoutMs = 1000;
    private const int DefaultMaxBodyBytes = 8192;

    private static readonly HashSet<string> s_deniedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "WWW-Authenticate", "Location", "Set-Cookie", "Retry-After",
    };

    /// <summary>Headers that describe the client's connection or body, not the request: never copied to the service.</summary>
    private static readonly HashSet<string> s_notForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Expect", "Proxy-Connection",
        "Proxy-Authorization", "Content-Length", "Content-Type", "Content-Encoding",
    };

    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public async Task<ExtAuthzDecision> CheckAsync(HttpContext context, Route route, ExternalAuthorizationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        var body = policy.IncludeRequestBody ? await ReadBodyAsync(context.Request, (int)(policy.MaxRequestBytes > 0 ? policy.MaxRequestBytes : DefaultMaxBodyBytes)) : null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(policy.TimeoutMs > 0 ? policy.TimeoutMs : DefaultTimeoutMs));
        try
        {
            return policy.ServiceCase == ExternalAuthorizationPolicy.ServiceOneofCase.Grpc
                ? await CheckGrpcAsync(context, policy, body, timeout.Token)
                : await CheckHttpAsync(context, policy, body, timeout.Token);
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested
            && exception is RpcException or HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            var reason = exception is OperationCanceledException or RpcException { StatusCode: StatusCode.DeadlineExceeded or StatusCode.Cancelled }
                ? "no answer in time"
                : exception.Message;
            LogServiceFailed(logger, route.Tenant, route.Name, reason, policy.FailureModeAllow);
            return policy.FailureModeAllow
                ? ExtAuthzDecision.Allow([], [])
                : ExtAuthzDecision.Deny(StatusCodes.Status403Forbidden, "The external authorization service is unavailable.", []);
        }
    }

    private async Task<ExtAuthzDecision> CheckGrpcAsync(HttpContext context, ExternalAuthorizationPolicy policy, byte[]? body, CancellationToken cancellationToken)
    {
        var channel = _channels.GetOrAdd(policy.Grpc.Address, address => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpClient = clients.For(null),
            DisposeHttpClient = false,
        }));
        var client = new EnvoyAuthorization.AuthorizationClient(channel);
        var response = await client.CheckAsync(CheckRequest(context, policy, body), cancellationToken: cancellationToken);
        if (response.Status is null || response.Status.Code == 0)
        {
            var ok = response.OkResponse;
            return ExtAuthzDecision.Allow(Headers(ok?.Headers), Headers(ok?.ResponseHeadersToAdd));
        }

        var denied = response.DeniedResponse;
        var status = denied?.Status is { Code: >= 400 and <= 599 } code ? code.Code : StatusCodes.Status403Forbidden;
        return ExtAuthzDecision.Deny(status, denied?.Body is { Length: > 0 } text ? text : response.Status.Message, Headers(denied?.Headers));
    }

    private async Task<ExtAuthzDecision> CheckHttpAsync(HttpContext context, ExternalAuthorizationPolicy policy, byte[]? body, CancellationToken cancellationToken)
    {
        var original = context.Request;
        var service = policy.Http;
        using var request = new HttpRequestMessage(new HttpMethod(original.Method), service.Url.TrimEnd('/') + original.Path + original.QueryString);
        var allowed = service.AllowedRequestHeaders.Count == 0 ? null : new HashSet<string>(service.AllowedRequestHeaders, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in original.Headers)
        {
            if (s_notForwarded.Contains(name) || name.StartsWith(':')
                || (allowed is not null && !allowed.Contains(name) && !name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", original.Host.Value);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", original.Scheme);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Method", original.Method);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Uri", original.Path + original.QueryString);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (original.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        using var response = await clients.For(null).SendAsync(request, cancellationToken);
        var answer = response.Headers.Concat(response.Content.Headers)
            .Select(header => new KeyValuePair<string, string>(header.Key, string.Join(',', header.Value)))
            .ToList();
        if (response.IsSuccessStatusCode)
        {
            var upstream = answer.Where(header => service.AllowedUpstreamHeaders.Contains(header.Key, StringComparer.OrdinalIgnoreCase)).ToList();
            return ExtAuthzDecision.Allow(upstream, []);
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return ExtAuthzDecision.Deny((int)response.StatusCode, text, [.. answer.Where(header => s_deniedResponseHeaders.Contains(header.Key))]);
    }

    private CheckRequest CheckRequest(HttpContext context, ExternalAuthorizationPolicy policy, byte[]? body)
    {
        var request = context.Request;
        var http = new AttributeContext.Types.HttpRequest
        {
            Id = context.TraceIdentifier,
            Method = request.Method,
            Path = request.Path + request.QueryString,
            Host = request.Host.Value ?? string.Empty,
            Scheme = request.Scheme,
            Query = request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty,
            Size = request.ContentLength ?? -1,
            Protocol = request.Protocol,
        };
        foreach (var (name, values) in request.Headers)
        {
            http.Headers[name.ToLowerInvariant()] = string.Join(',', values.ToArray());
        }

        if (body is not null)
        {
            http.Body = Encoding.UTF8.GetString(body);
            http.RawBody = ByteString.CopyFrom(body);
        }

        var attributes = new AttributeContext
        {
            Source = Peer(context.Connection.RemoteIpAddress, context.Connection.RemotePort),
            Destination = Peer(context.Connection.LocalIpAddress, context.Connection.LocalPort),
            Request = new AttributeContext.Types.Request { Time = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Http = http },
        };
        attributes.ContextExtensions.Add(policy.ContextExtensions);
        return new CheckRequest { Attributes = attributes };
    }

    private static AttributeContext.Types.Peer Peer(System.Net.IPAddress? address, int port) => new()
    {
        Address = new Address { SocketAddress = new SocketAddress { Address = address?.ToString() ?? string.Empty, PortValue = (uint)port } },
    };

    private static List<KeyValuePair<string, string>> Headers(IEnumerable<HeaderValueOption>? options) =>
        options?.Where(option => option.Header is { Key.Length: > 0 })
            .Select(option => new KeyValuePair<string, string>(option.Header.Key, option.Header.Value.Length > 0 ? option.Header.Value : option.Header.RawValue.ToStringUtf8()))
            .ToList() ?? [];

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit)
    {
        request.EnableBuffering();
        var buffer = new byte[limit];
        var read = 0;
        while (read < limit)
        {
            var count = await request.Body.ReadAsync(buffer.AsMemory(read, limit - read), request.HttpContext.RequestAborted);
            if (count == 0)
            {
                break;
            }

            read += count;
        }

        request.Body.Position = 0;
        return buffer[..read];
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Tenant}/{Route}: external authorization failed ({Reason}); failure mode allows: {Allowed}")]
    private static partial void LogServiceFailed(ILogger logger, string tenant, string route, string reason, bool allowed);
}
