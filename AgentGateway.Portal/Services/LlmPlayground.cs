using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Services;

/// <summary>An LLM route's answer in the playground: the assistant's text, the tokens it took, the model that answered and how long it took.</summary>
public sealed record LlmPlaygroundReply(string Text, long? InputTokens, long? OutputTokens, string? Model, TimeSpan Elapsed);

/// <summary>
/// The Portal as an OpenAI client of an LLM route's endpoint on the proxy, with a token of the signed-in user minted
/// for the gateway (<see cref="GatewayTokenProvider"/>): lists the route's models and sends a chat through the gateway,
/// so the answer, the guards and the limits are what the developer's agents get.
/// </summary>
internal sealed class LlmPlayground(IHttpClientFactory httpClientFactory, GatewayTokenProvider tokens)
{
    /// <summary>The models the route serves, as its clients list them through the gateway.</summary>
    public async Task<IReadOnlyList<string>> ListModelsAsync(RouteInfo route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        using var request = await RequestAsync(HttpMethod.Get, route, "/v1/models", null, cancellationToken);
        using var response = await SendAsync(route, request, cancellationToken);
        var body = await ReadAsync(response, cancellationToken);
        return body?["data"] is JsonArray models
            ? [.. models.Select(model => (string?)model?["id"]).OfType<string>()]
            : throw new PlaygroundException("The gateway's model list has no 'data'.");
    }

    /// <summary>Sends <paramref name="message"/> (after <paramref name="system"/>, when given) to <paramref name="model"/> and waits for the whole answer.</summary>
    public async Task<LlmPlaygroundReply> ChatAsync(RouteInfo route, string model, string? system, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var messages = new JsonArray();
        if (!string.IsNullOrWhiteSpace(system))
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        messages.Add(new JsonObject { ["role"] = "user", ["content"] = message });
        var started = Stopwatch.GetTimestamp();
        using var request = await RequestAsync(HttpMethod.Post, route, "/v1/chat/completions", new JsonObject { ["model"] = model, ["messages"] = messages }, cancellationToken);
        using var response = await SendAsync(route, request, cancellationToken);
        var body = await ReadAsync(response, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var text = body?["choices"]?[0]?["message"]?["content"] is JsonValue content && content.TryGetValue<string>(out var said) ? said : string.Empty;
        var usage = body?["usage"];
        return new LlmPlaygroundReply(text, Number(usage?["prompt_tokens"]), Number(usage?["completion_tokens"]), (string?)body?["model"], elapsed);
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, RouteInfo route, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var endpoint = route.Endpoint ?? throw new PlaygroundException($"Route {route.Name} has no single endpoint to call.");
        var request = new HttpRequestMessage(method, new Uri(endpoint.TrimEnd('/') + path));
        if ((await tokens.GetAsync(cancellationToken)).Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(RouteInfo route, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await httpClientFactory.CreateClient(GatewayPlayground.HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new PlaygroundException($"The gateway at {route.Endpoint} could not be reached: {exception.Message}");
        }
    }

    /// <summary>The answer's JSON; an error answer (in the OpenAI shape the gateway gives) becomes the playground's message.</summary>
    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (!response.IsSuccessStatusCode)
        {
            var message = (string?)body?["error"]?["message"] ?? (text.Length > 300 ? text[..300] : text);
            throw new PlaygroundException($"The gateway answered {(int)response.StatusCode}: {message}");
        }

        return body;
    }

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;
}
