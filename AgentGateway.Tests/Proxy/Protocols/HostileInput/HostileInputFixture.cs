using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;

namespace AgentGateway.Tests.Proxy.Protocols.HostileInput;

/// <summary>
/// A standalone proxy with an MCP route federating the sample servers and an A2A route in front of an echoing
/// upstream (so that every answer the fuzzing sees is the gateway's own or a well-behaved upstream's), plus a valid
/// session of the MCP route to mutate.
/// </summary>
public sealed class HostileInputFixture : IAsyncLifetime
{
    private readonly SampleServerFixture _samples = new();
    private StandaloneProxy? _proxy;
    private LoopbackUpstream? _agent;

    public Uri Proxy => _proxy!.BaseAddress;

    public string ProxyOutput => _proxy!.Output;

    /// <summary>A session of <c>/acme/mcp</c>, initialized.</summary>
    public string SessionId { get; private set; } = string.Empty;

    /// <summary>A session of another route (<c>/acme/other</c>), which <c>/acme/mcp</c> must not take.</summary>
    public string ForeignSessionId { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await _samples.InitializeAsync();
        _agent = await LoopbackUpstream.StartAsync();
        _agent.Card = LoopbackUpstream.AgentCard("Echo", "1.0.0", "echo");
        object Mcp(string name) => new
        {
            tenant = "acme",
            name,
            path = $"/acme/{name}",
            mcp = new
            {
                targets = new object[]
                {
                    new { name = "utils", streamableHttp = new { url = _samples.UtilsEndpoint.ToString() } },
                    new { name = "notes", streamableHttp = new { url = _samples.NotesEndpoint.ToString() } },
                },
            },
        };
        _proxy = await StandaloneProxy.StartAsync(new
        {
            routes = new object[]
            {
                Mcp("mcp"),
                Mcp("other"),
                new { tenant = "acme", name = "agent", path = "/acme/agent", a2a = new { url = _agent.Address.ToString() } },
            },
        }, cancellationToken);
        SessionId = await InitializeAsync("/acme/mcp", cancellationToken);
        ForeignSessionId = await InitializeAsync("/acme/other", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        await _samples.DisposeAsync();
    }

    private async Task<string> InitializeAsync(string path, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = 1,
            ["method"] = "initialize",
            ["params"] = new JsonObject { ["protocolVersion"] = "2025-11-25", ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "fuzz", ["version"] = "1" } },
        }.ToJsonString());
        var answer = await RawHttp.SendAsync(Proxy, RawHttp.Request("POST", path,
            [("Host", "127.0.0.1"u8.ToArray()), ("Accept", "application/json, text/event-stream"u8.ToArray()), ("Content-Type", "application/json"u8.ToArray())], body), cancellationToken);
        Assert.Equal(200, answer.Status);
        return answer.Headers["mcp-session-id"];
    }
}
