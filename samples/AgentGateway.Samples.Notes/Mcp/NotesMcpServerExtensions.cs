using AgentGateway.Samples.Notes.Notes;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.Samples.Notes.Mcp;

/// <summary>Wires the "notes" sample MCP server (Streamable HTTP at <c>/mcp</c>).</summary>
internal static class NotesMcpServerExtensions
{
    public const string Path = "/mcp";

    public static WebApplicationBuilder AddNotesMcpServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<NoteStore>();
        builder.Services.AddMcpServer(options => options.ServerInfo = new() { Name = "notes", Version = "1.0.0" })
            .WithHttpTransport()
            .WithTools<NoteTools>()
            .WithPrompts<NotePrompts>()
            .WithResources<NoteResources>();
        return builder;
    }

    public static WebApplication MapNotesMcpServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapMcp(Path);
        return app;
    }
}
