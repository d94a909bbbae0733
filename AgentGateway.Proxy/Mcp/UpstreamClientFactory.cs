using AgentGateway.Contracts.V1;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Mcp;

/// <summary>Connects to one MCP target with the MCP C# SDK client.</summary>
internal sealed class UpstreamClientFactory(
    IHttpClientFactory httpClientFactory,
    Microsoft.Extensions.Options.IOptions<McpGatewayOptions> options,
    ILoggerFactory loggerFactory)
{
    public const string HttpClientName = "mcp-upstream";

    private static readonly Implementation s_clientInfo = new()
    {
        Name = "agentgateway",
        Version = typeof(UpstreamClientFactory).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
    };

    public async Task<McpClient> ConnectAsync(McpTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var transport = target.TransportCase switch
        {
            McpTarget.TransportOneofCase.StreamableHttp => new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = new Uri(target.StreamableHttp.Url),
                    Name = target.Name,
                    ConnectionTimeout = options.Value.TargetTimeout,
                    TransportMode = HttpTransportMode.StreamableHttp,
                    AdditionalHeaders = target.StreamableHttp.Headers.Count > 0
                        ? new Dictionary<string, string>(target.StreamableHttp.Headers)
                        : null,
                },
                httpClientFactory.CreateClient(HttpClientName),
                loggerFactory,
                ownsHttpClient: true),
            _ => throw new InvalidOperationException($"Target '{target.Name}' has no supported transport."),
        };

        return await McpClient.CreateAsync(
            transport,
            new McpClientOptions { ClientInfo = s_clientInfo, InitializationTimeout = options.Value.TargetTimeout },
            loggerFactory,
            cancellationToken);
    }
}
