using System.Text;
using System.Text.Json.Nodes;

namespace AgentGateway.Samples.Models;

/// <summary>
/// A small OpenAI-compatible model server for the demo: <c>GET /v1/models</c> and <c>POST /v1/chat/completions</c>
/// (blocking and streamed, with usage), serving two deterministic models: <c>demo-echo</c> answers with what the
/// user said last, <c>demo-reverse</c> with its words reversed. Tokens are counted at four characters each. A stream
/// sends a word per chunk, <c>Models:WordDelay</c> apart (none by default), to look like a model thinking.
/// </summary>
internal static class DemoModels
{
    public const string Echo = "demo-echo";
    public const string Reverse = "demo-reverse";

    public static IEndpointRouteBuilder MapDemoModels(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", () => Results.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(Model(Echo), Model(Reverse)),
        }));
        endpoints.MapPost("/v1/chat/completions", CompleteAsync);
        return endpoints;
    }

    private static async Task CompleteAsync(HttpContext context)
    {
        JsonObject? request;
        try
        {
            request = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request?["messages"] is not JsonArray messages)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "The request needs 'model' and 'messages'.");
            return;
        }

        var model = (string?)request["model"];
        if (model is not (Echo or Reverse))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "invalid_request_error", $"The model '{model}' does not exist.", "model_not_found");
            return;
        }

        var said = messages.OfType<JsonObject>().LastOrDefault(message => (string?)message["role"] == "user") is { } last ? Text(last["content"]) : string.Empty;
        var answer = model == Echo ? $"You said: {said}" : string.Join(' ', said.Split(' ', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var usage = new JsonObject
        {
            ["prompt_tokens"] = Tokens(string.Concat(messages.OfType<JsonObject>().Select(message => Text(message["content"])))),
            ["completion_tokens"] = Tokens(answer),
        };
        usage["total_tokens"] = (int)usage["prompt_tokens"]! + (int)usage["completion_tokens"]!;
        var id = $"chatcmpl-demo-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if ((bool?)request["stream"] != true)
        {
            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = usage,
            }, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        async Task SendAsync(JsonObject delta, string? finish, JsonObject? withUsage = null)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = withUsage is null ? new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }) : new JsonArray(),
            };
            if (withUsage is not null)
            {
                chunk["usage"] = withUsage;
            }

            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        await SendAsync(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null);
        var words = answer.Split(' ');
        var pace = context.RequestServices.GetRequiredService<IConfiguration>().GetValue<TimeSpan>("Models:WordDelay");
        for (var index = 0; index < words.Length; index++)
        {
            if (pace > TimeSpan.Zero)
            {
                await Task.Delay(pace, context.RequestAborted);
            }

            await SendAsync(new JsonObject { ["content"] = index == 0 ? words[index] : " " + words[index] }, null);
        }

        await SendAsync([], "stop");
        if ((bool?)request["stream_options"]?["include_usage"] == true)
        {
            await SendAsync([], null, usage);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }

    private static JsonObject Model(string id) => new() { ["id"] = id, ["object"] = "model", ["created"] = 0, ["owned_by"] = "agentgateway-samples" };

    private static string Text(JsonNode? content) => content switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Where(part => (string?)part["type"] == "text").Select(part => (string?)part["text"])),
        _ => string.Empty,
    };

    private static int Tokens(string text) => Math.Max(1, (text.Length + 3) / 4);

    private static Task ErrorAsync(HttpContext context, int status, string type, string message, string? code = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
        }, context.RequestAborted);
    }
}
