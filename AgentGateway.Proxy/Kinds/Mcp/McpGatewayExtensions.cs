using AgentGateway.Proxy.Kinds.Mcp.Federation;
using AgentGateway.Proxy.Kinds.Mcp.Governance;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Transports;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Kinds.Mcp;

internal static class McpGatewayExtensions
{
    public static IHostApplicationBuilder AddMcpGateway(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<McpGatewayOptions>().BindConfiguration(McpGatewayOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpGatewayOptions>, McpGatewayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StreamableHttpUpstream>();
        services.TryAddSingleton<OpenApiUpstream>();
        services.TryAddSingleton<McpSessionTokens>();
        services.TryAddSingleton<LocalSessions>();
        services.TryAddSingleton<McpInputBridge>();
        services.TryAddSingleton<StdioProcessCount>();
        services.TryAddSingleton<McpUpstreams>();
        services.TryAddSingleton<ToolPinRegistry>();
        services.TryAddSingleton<McpAccessGuard>();
        services.TryAddSingleton<McpToolGuards>();
        services.TryAddSingleton<McpFederation>();
        services.TryAddSingleton<McpOriginGuard>();
        services.TryAddSingleton<McpRequestSessions>();
        services.TryAddSingleton<McpStreams>();
        services.TryAddSingleton<StatelessEndpoint>();
        services.TryAddSingleton<StreamableHttpEndpoint>();
        services.TryAddSingleton<LegacySseEndpoint>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteKind, McpEndpointHandler>());
        services.AddHostedService<McpSessionExpiry>();
        services.AddHostedService<McpListChangeNotifier>();
        return builder;
    }
}
