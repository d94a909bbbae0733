using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.Samples.Utilities.Mcp;

/// <summary>Wires the "utils" sample MCP server (Streamable HTTP at <c>/mcp</c>).</summary>
internal static class UtilitiesMcpServerExtensions
{
    public const string Path = "/mcp";

    public static WebApplicationBuilder AddUtilitiesMcpServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMcpServer(options => options.ServerInfo = new() { Name = "utils", Version = "1.0.0" })
            .WithHttpTransport()
            .WithTools<UtilityTools>()
            .WithPrompts<UtilityPrompts>()
            .WithResources<UtilityResources>();
        return builder;
    }

    public static WebApplication MapUtilitiesMcpServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapMcp(Path);
        return app;
    }
}
