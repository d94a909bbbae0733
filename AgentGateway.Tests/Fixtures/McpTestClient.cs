using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
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

    /// <summary>Connects once the route serves (a proxy that has just started, or not yet received the route): tries for 20 s.</summary>
    public static async Task<McpClient> ConnectWhenServedAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                return await ConnectAsync(endpoint, cancellationToken);
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

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

    /// <summary>A JSON-RPC request with a fresh id.</summary>
    public static JsonObject Request(string method, JsonObject? parameters = null) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = Guid.NewGuid().ToString("N"),
        ["method"] = method,
        ["params"] = parameters ?? [],
    };

    /// <summary>Opens a session (protocol 2025-11-25) as raw HTTP, initialized; returns its id.</summary>
    public static async Task<string> OpenSessionAsync(HttpClient http, Uri endpoint, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = JsonContent.Create(Request("initialize", new JsonObject
            {
                ["protocolVersion"] = "2025-11-25",
                ["capabilities"] = new JsonObject(),
                ["clientInfo"] = new JsonObject { ["name"] = "tests", ["version"] = "1.0" },
            })),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await http.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        var (status, _) = await PostAsync(http, endpoint, sessionId, new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" }, cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, status);
        return sessionId;
    }

    /// <summary>POSTs one message on a session; the answer is the JSON body or the last JSON-RPC response of the SSE stream.</summary>
    public static async Task<(HttpStatusCode Status, JsonObject? Message)> PostAsync(
        HttpClient http, Uri endpoint, string sessionId, JsonObject message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = JsonContent.Create(message) };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var data = body.Split('\n').Where(line => line.StartsWith("data: {", StringComparison.Ordinal)).Select(line => JsonNode.Parse(line[6..])!.AsObject());
            return (response.StatusCode, data.LastOrDefault(candidate => candidate.ContainsKey("result") || candidate.ContainsKey("error")));
        }

        return (response.StatusCode, body.Length == 0 ? null : JsonNode.Parse(body)!.AsObject());
    }
}
