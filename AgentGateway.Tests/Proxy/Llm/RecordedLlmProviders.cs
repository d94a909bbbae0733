using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Proxy.Llm;

/// <summary>
/// LLM providers on loopback that answer with recorded responses of the real APIs (the files in <c>Recorded/</c>):
/// OpenAI below <c>/openai/v1</c>, Anthropic below <c>/anthropic</c>. Each keeps the requests it received, and
/// can be told to fail the next requests with a status. <c>/moderation</c> is a guard webhook: it rejects texts
/// that mention a "forbidden topic" and masks "secret-project".
/// </summary>
public sealed class RecordedLlmProviders : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    private RecordedLlmProviders(int port)
    {
        Address = new Uri($"http://127.0.0.1:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.MapPost("/openai/v1/chat/completions", context => AnswerAsync(context, "openai", "openai-completion.json", "openai-stream.txt"));
        _app.MapGet("/openai/v1/models", context => ReplayAsync(context, "openai-models.json"));
        _app.MapPost("/openai/v1/embeddings", context => AnswerAsync(context, "openai", "openai-embeddings.json", "openai-stream.txt"));
        _app.MapPost("/anthropic/v1/messages", context => AnswerAsync(context, "anthropic", "anthropic-message.json", "anthropic-stream.txt"));
        _app.MapGet("/anthropic/v1/models", context => ReplayAsync(context, "anthropic-models.json"));
        _app.MapPost("/moderation", ModerateAsync);
        // Gemini: models/{model}:generateContent, or :streamGenerateContent?alt=sse.
        _app.MapPost("/gemini/v1beta/models/{call}", (HttpContext context, string call) =>
            AnswerAsync(context, "gemini", "gemini-generate.json", "gemini-stream.txt", streaming: call.EndsWith(":streamGenerateContent", StringComparison.Ordinal)
                && context.Request.Query["alt"] == "sse"));
        _app.MapGet("/gemini/v1beta/models", () => Results.Json(new JsonObject
        {
            ["models"] = new JsonArray(new JsonObject { ["name"] = "models/gemini-2.5-flash", ["displayName"] = "Gemini 2.5 Flash" }),
        }));
        // Azure OpenAI's deployments API: the deployment in the path, the api-version in the query.
        _app.MapPost("/azure/openai/deployments/{deployment}/chat/completions", (HttpContext context, string deployment) =>
        {
            AzureCalls.Enqueue((deployment, context.Request.Query["api-version"].ToString()));
            return AnswerAsync(context, "azure", "openai-completion.json", "openai-stream.txt");
        });
    }

    /// <summary>What the moderation webhook was asked, and with which headers.</summary>
    public ConcurrentQueue<(IReadOnlyDictionary<string, string> Headers, JsonObject Body)> Moderations { get; } = new();

    public Uri ModerationUrl => new(Address, "/moderation");

    /// <summary>The Azure OpenAI deployment and api-version of each call to <see cref="AzureUrl"/>.</summary>
    public ConcurrentQueue<(string Deployment, string ApiVersion)> AzureCalls { get; } = new();

    /// <summary>An Azure OpenAI resource's endpoint.</summary>
    public Uri AzureUrl => new(Address, "/azure");

    public Uri Address { get; }

    public Uri OpenAiUrl => new(Address, "/openai/v1");

    public Uri AnthropicUrl => new(Address, "/anthropic");

    /// <summary>What the providers received: "openai" or "anthropic", the request's headers and JSON body.</summary>
    public ConcurrentQueue<(string Provider, IReadOnlyDictionary<string, string> Headers, JsonObject Body)> Requests { get; } = new();

    public static string RecordedFile(string name) => Path.Combine(ServiceProcess.RepositoryRoot, "AgentGateway.Tests", "Proxy", "Llm", "Recorded", name);

    public static async Task<RecordedLlmProviders> StartAsync()
    {
        var providers = new RecordedLlmProviders(ServiceProcess.GetFreePort());
        await providers._app.StartAsync();
        return providers;
    }

    /// <summary>The next <paramref name="count"/> requests to <paramref name="provider"/> are answered <paramref name="status"/>.</summary>
    public void FailNext(string provider, int count, int status) => _failures[provider] = count * 1000 + status;

    /// <summary>The last request <paramref name="provider"/> received whose body satisfies <paramref name="match"/>.</summary>
    public JsonObject LastBody(string provider, Func<JsonObject, bool>? match = null) =>
        Requests.Where(request => request.Provider == provider && (match?.Invoke(request.Body) ?? true)).Select(request => request.Body).Last();

    public IReadOnlyDictionary<string, string> LastHeaders(string provider) => Requests.Where(request => request.Provider == provider).Select(request => request.Headers).Last();

    private async Task AnswerAsync(HttpContext context, string provider, string blocking, string stream, bool? streaming = null)
    {
        var body = (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)) as JsonObject)!;
        Requests.Enqueue((provider, context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal), body));
        if (_failures.TryGetValue(provider, out var failure) && failure >= 1000)
        {
            _failures[provider] = failure - 1000;
            context.Response.StatusCode = failure % 1000;
            await context.Response.WriteAsync("""{"error":{"message":"overloaded","type":"overloaded_error"}}""", context.RequestAborted);
            return;
        }

        if (provider == "anthropic" && (string?)body["model"] is "bad-request" or "no-such-model")
        {
            var notFound = (string?)body["model"] == "no-such-model";
            context.Response.StatusCode = notFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            await ReplayAsync(context, notFound ? "anthropic-not-found.json" : "anthropic-error.json");
            return;
        }

        // The model "gpt-4.1-tools" answers with a tool call; "llama-no-usage" reports no usage, like some local servers.
        if ((string?)body["model"] == "gpt-4.1-tools")
        {
            (blocking, stream) = ("openai-tool-completion.json", "openai-tool-stream.txt");
        }
        else if ((string?)body["model"] == "llama-no-usage")
        {
            blocking = "openai-no-usage.json";
        }

        if ((streaming ?? (bool?)body["stream"] == true) != true)
        {
            await ReplayAsync(context, blocking);
            return;
        }

        // The recorded events one by one, flushed, as a provider streams them.
        context.Response.ContentType = "text/event-stream";
        var text = await File.ReadAllTextAsync(RecordedFile(stream), context.RequestAborted);
        foreach (var sse in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(sse + "\n\n"), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private async Task ModerateAsync(HttpContext context)
    {
        var body = (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)) as JsonObject)!;
        Moderations.Enqueue((context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal), body));
        var texts = (body["texts"] as JsonArray ?? []).Select(text => (string?)text ?? string.Empty).ToList();
        JsonObject decision = texts.Any(text => text.Contains("forbidden topic", StringComparison.OrdinalIgnoreCase))
            ? new() { ["action"] = "reject", ["message"] = "The moderation service does not allow this topic." }
            : texts.Any(text => text.Contains("secret-project", StringComparison.Ordinal))
                ? new() { ["action"] = "mask", ["texts"] = new JsonArray([.. texts.Select(text => (JsonNode?)text.Replace("secret-project", "[PROJECT]", StringComparison.Ordinal))]) }
                : new() { ["action"] = "allow" };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(decision.ToJsonString(), context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, string file)
    {
        context.Response.ContentType = "application/json";
        await context.Response.SendFileAsync(RecordedFile(file), context.RequestAborted);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
