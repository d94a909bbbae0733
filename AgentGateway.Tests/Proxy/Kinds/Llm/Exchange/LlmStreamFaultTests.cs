using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Exchange;

/// <summary>
/// A model server process killed while it streams answers through the proxy, beside another one that goes on: each
/// caller of the dead one gets its API's error event, the others nothing but their whole answers.
/// </summary>
public sealed class LlmStreamFaultTests : IAsyncLifetime
{
    private static readonly string s_long = string.Join(' ', Enumerable.Range(1, 40).Select(word => $"word{word}"));

    private ServiceProcess _dying = null!;
    private ServiceProcess _steady = null!;
    private StandaloneProxy _proxy = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var paced = new Dictionary<string, string> { ["Models:WordDelay"] = "00:00:00.100" };
        _dying = await ServiceProcess.StartAsync("samples/AgentGateway.Samples.Models", paced, Cancellation);
        _steady = await ServiceProcess.StartAsync("samples/AgentGateway.Samples.Models", paced, Cancellation);
        object Route(string name, ServiceProcess models) => new
        {
            tenant = "acme",
            name,
            path = $"/acme/{name}",
            llm = new
            {
                providers = new[] { new { name = "demo", kind = "openai", url = new Uri(models.BaseAddress, "/v1").ToString() } },
                models = new[] { new { name = "demo", targets = new[] { new { provider = "demo", model = "demo-echo" } } } },
            },
        };
        _proxy = await StandaloneProxy.StartAsync(new { routes = new[] { Route("dying", _dying), Route("steady", _steady) } }, Cancellation);
    }

    [Fact]
    public async Task AProviderKilledMidStream_EndsEachOfItsStreamsWithItsApisErrorEvent_AndNoOtherCallerNotices()
    {
        using var http = new HttpClient();
        using var chat = await StreamAsync(http, "dying/v1/chat/completions", ChatRequest());
        using var messages = await StreamAsync(http, "dying/v1/messages", new JsonObject
        {
            ["model"] = "demo",
            ["max_tokens"] = 200,
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = s_long }),
        });
        using var steady = await StreamAsync(http, "steady/v1/chat/completions", ChatRequest());
        var steadyText = ReadAllAsync(steady);

        // Both streams of the dying provider are under way when its process is killed.
        var chatSeen = await ReadUntilAsync(chat, "word3");
        var messagesSeen = await ReadUntilAsync(messages, "word3");
        await _dying.DisposeAsync();

        var chatRest = chatSeen + await ReadAllAsync(chat);
        var chatError = JsonNode.Parse(chatRest.Split('\n').Last(line => line.StartsWith("data: {", StringComparison.Ordinal))[6..])!;
        Assert.Equal("upstream_stream_broken", (string?)chatError["error"]?["code"]);
        Assert.Contains("broke before its end", (string?)chatError["error"]?["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", chatRest, StringComparison.Ordinal);

        var messagesRest = messagesSeen + await ReadAllAsync(messages);
        Assert.Contains("event: error\n", messagesRest, StringComparison.Ordinal);
        var messagesError = JsonNode.Parse(messagesRest.Split('\n').Last(line => line.StartsWith("data: {", StringComparison.Ordinal))[6..])!;
        Assert.Equal("error", (string?)messagesError["type"]);
        Assert.Equal("api_error", (string?)messagesError["error"]?["type"]);
        Assert.DoesNotContain("message_stop", messagesRest, StringComparison.Ordinal);

        // The caller of the other provider got its whole answer, and the proxy goes on serving.
        var whole = await steadyText;
        Assert.Contains("word40", whole, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", whole, StringComparison.Ordinal);
        Assert.DoesNotContain("error", whole, StringComparison.Ordinal);
        using var after = await http.PostAsJsonAsync(new Uri(_proxy.BaseAddress, "/acme/steady/v1/chat/completions"), new JsonObject
        {
            ["model"] = "demo",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "still here" }),
        }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains("provider's stream broke", _proxy.Output, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _steady.DisposeAsync();
        await _dying.DisposeAsync();
    }

    private static JsonObject ChatRequest() => new()
    {
        ["model"] = "demo",
        ["stream"] = true,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = s_long }),
    };

    private async Task<StreamReader> StreamAsync(HttpClient http, string path, JsonObject body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_proxy.BaseAddress, "/acme/" + path)) { Content = JsonContent.Create(body) };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new StreamReader(await response.Content.ReadAsStreamAsync(Cancellation));
    }

    private static async Task<string> ReadUntilAsync(StreamReader stream, string marker)
    {
        var read = new System.Text.StringBuilder();
        while (await stream.ReadLineAsync(Cancellation) is { } line)
        {
            read.Append(line).Append('\n');
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return read.ToString();
            }
        }

        Assert.Fail($"The stream ended before '{marker}':\n{read}");
        return string.Empty;
    }

    private static async Task<string> ReadAllAsync(StreamReader stream) => await stream.ReadToEndAsync(Cancellation);
}
