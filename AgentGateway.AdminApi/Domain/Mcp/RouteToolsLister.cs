using AgentGateway.Contracts.Mcp;
using AgentGateway.Contracts.V1;
using ModelContextProtocol.Client;

namespace AgentGateway.AdminApi.Domain.Mcp;

/// <summary>
/// Lists, live, the tools a route exposes: connects to every target in parallel with the MCP client and names the
/// tools exactly as the proxy does. A target that fails is reported and the others still list.
/// </summary>
internal sealed partial class RouteToolsLister(IHttpClientFactory httpClientFactory, ILoggerFactory loggerFactory, ILogger<RouteToolsLister> logger)
{
    public const string HttpClientName = "mcp-targets";

    private static readonly TimeSpan s_targetTimeout = TimeSpan.FromSeconds(10);

    public async Task<(List<RouteToolResponse> Tools, List<TargetErrorResponse> Errors)> ListAsync(McpBackend backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var prefixed = FederatedNames.UsesPrefix(backend.PrefixMode, backend.Targets.Count);
        var results = await Task.WhenAll(backend.Targets.Select(target => ListTargetAsync(target, cancellationToken)));

        var tools = new List<RouteToolResponse>();
        var errors = new List<TargetErrorResponse>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (target, listed, error) in results)
        {
            if (error is not null)
            {
                errors.Add(new TargetErrorResponse(target, error));
                continue;
            }

            foreach (var tool in listed)
            {
                var name = FederatedNames.Compose(target, tool.Name, prefixed);
                if (!seen.Add(name))
                {
                    errors.Add(new TargetErrorResponse(target, $"tool '{name}' collides with another target's tool and is hidden"));
                    continue;
                }

                tools.Add(new RouteToolResponse(name, target, tool.Title, tool.Description, tool.InputSchema));
            }
        }

        return (tools, errors);
    }

    private async Task<(string Target, IReadOnlyList<ModelContextProtocol.Protocol.Tool> Tools, string? Error)> ListTargetAsync(
        McpTarget target, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_targetTimeout);
        try
        {
            if (target.TransportCase is McpTarget.TransportOneofCase.Stdio or McpTarget.TransportOneofCase.Openapi)
            {
                // The control plane never runs target processes nor turns APIs into tools; only proxies do.
                return (target.Name, [], $"{(target.TransportCase == McpTarget.TransportOneofCase.Stdio ? "stdio" : "OpenAPI")} targets are served by the proxies only; list them through the route's endpoint");
            }

            var sse = target.TransportCase == McpTarget.TransportOneofCase.Sse;
            var transport = new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = new Uri(sse ? target.Sse.Url : target.StreamableHttp.Url),
                    Name = target.Name,
                    TransportMode = sse ? HttpTransportMode.Sse : HttpTransportMode.StreamableHttp,
                    ConnectionTimeout = s_targetTimeout,
                    AdditionalHeaders = new Dictionary<string, string>(sse ? target.Sse.Headers : target.StreamableHttp.Headers),
                },
                httpClientFactory.CreateClient(HttpClientName),
                loggerFactory,
                ownsHttpClient: true);
            await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { InitializationTimeout = s_targetTimeout }, loggerFactory, timeout.Token);
            var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
            return (target.Name, [.. tools.Select(tool => tool.ProtocolTool)], null);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = exception is OperationCanceledException ? $"no answer within {s_targetTimeout.TotalSeconds:0} s" : exception.Message;
            LogTargetFailed(logger, target.Name, reason);
            return (target.Name, [], reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing the tools of target {Target} failed: {Reason}")]
    private static partial void LogTargetFailed(ILogger logger, string target, string reason);
}
