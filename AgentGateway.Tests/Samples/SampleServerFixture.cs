using AgentGateway.Tests.Fixtures;
using ModelContextProtocol.Client;

namespace AgentGateway.Tests.Samples;

/// <summary>The two sample MCP servers, each running as a real process on loopback.</summary>
public sealed class SampleServerFixture : IAsyncLifetime
{
    private ServiceProcess? _utils;
    private ServiceProcess? _notes;

    public Uri UtilsEndpoint => new(_utils!.BaseAddress, "/mcp");

    public Uri NotesEndpoint => new(_notes!.BaseAddress, "/mcp");

    /// <summary>What the utilities sample has logged so far.</summary>
    public string UtilsOutput => _utils!.Output;

    public async ValueTask InitializeAsync()
    {
        var empty = new Dictionary<string, string>();
        var cancellationToken = TestContext.Current.CancellationToken;
        var utils = ServiceProcess.StartAsync("samples/AgentGateway.Samples.Utilities", empty, cancellationToken);
        var notes = ServiceProcess.StartAsync("samples/AgentGateway.Samples.Notes", empty, cancellationToken);
        _utils = await utils;
        _notes = await notes;
    }

    /// <summary>
    /// Connects the MCP C# SDK client. It speaks the newest revision the server offers (the stateless one, through the
    /// gateway) unless <paramref name="protocolVersion"/> pins one, e.g. 2025-11-25 for a session.
    /// </summary>
    public static async Task<McpClient> ConnectAsync(Uri endpoint, CancellationToken cancellationToken, string? protocolVersion = null) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions { ProtocolVersion = protocolVersion },
            cancellationToken: cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_utils is not null)
        {
            await _utils.DisposeAsync();
        }

        if (_notes is not null)
        {
            await _notes.DisposeAsync();
        }
    }
}
