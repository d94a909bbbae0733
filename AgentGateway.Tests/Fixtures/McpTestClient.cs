using System.Net.Http.Headers;
using System.Text;
using ModelContextProtocol.Client;

namespace AgentGateway.Tests.Fixtures;

/// <summary>Talking to an MCP endpoint in tests: through the MCP C# SDK client, or as raw HTTP to see statuses and headers.</summary>
public static class McpTestClient
{
    /// <summary>The SDK client of <paramref name="endpoint"/>, sending <paramref name="headers"/> with every request.</summary>
    public static async Task<McpClient> ConnectAsync(
        Uri endpoint, CancellationToken cancellationToken, IDictionary<string, string>? headers = null, string? protocolVersion = null) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = endpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = headers,
            }),
            new McpClientOptions { ProtocolVersion = protocolVersion },
            cancellationToken: cancellationToken);

    /// <summary>An initialize POST (protocol 2025-11-25) as raw HTTP, its answer buffered.</summary>
    public static async Task<HttpResponseMessage> InitializeAsync(
        Uri endpoint, CancellationToken cancellationToken, string? bearer = null, IDictionary<string, string>? headers = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return response;
    }
}
