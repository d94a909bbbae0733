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

    public async ValueTask InitializeAsync()
    {
        var empty = new Dictionary<string, string>();
        var cancellationToken = TestContext.Current.CancellationToken;
        var utils = ServiceProcess.StartAsync("samples/AgentGateway.Samples.Utilities", empty, cancellationToken);
        var notes = ServiceProcess.StartAsync("samples/AgentGateway.Samples.Notes", empty, cancellationToken);
        _utils = await utils;
        _notes = await notes;
    }

    public static async Task<McpClient> ConnectAsync(Uri endpoint, CancellationToken cancellationToken) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp }),
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
