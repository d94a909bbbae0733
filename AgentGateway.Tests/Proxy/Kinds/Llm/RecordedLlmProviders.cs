using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Upstream.Auth;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Proxy.Kinds.Llm;

/// <summary>
/// LLM providers on loopback that answer with recorded responses of the real APIs (the files in <c>Recorded/</c>):
/// OpenAI below <c>/openai/v1</c>, Anthropic below <c>/anthropic</c>, Gemini below <c>/gemini/v1beta</c>, Bedrock below
/// <c>/bedrock</c> and a Vertex AI location below <c>/vertex</c>. Each keeps the requests it received, and
/// can be told to fail the next requests with a status. <c>/moderation</c> is a guard webhook: it rejects texts
/// that mention a "forbidden topic" and masks "secret-project".
/// </summary>
public sealed partial class RecordedLlmProviders : IAsyncDisposable
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
        // OpenAI's own Responses API (and Azure OpenAI's v1 one): each answer under a new id, kept for
        // previous_response_id, GET and DELETE as OpenAI keeps them.
        _app.MapPost("/openai/v1/responses", context => NativeResponseAsync(context, "openai-responses"));
        _app.MapPost("/azure/openai/v1/responses", context => NativeResponseAsync(context, "azure-responses"));
        _app.MapGet("/openai/v1/responses/{id}", (string id) => KeptResponses.TryGetValue(id, out var kept)
            ? Results.Text(kept, "application/json")
            : Results.Json(ResponseNotFound(id), statusCode: StatusCodes.Status404NotFound));
        _app.MapGet("/openai/v1/responses/{id}/input_items", (string id) => KeptInputs.TryGetValue(id, out var input)
            ? Results.Json(new JsonObject { ["object"] = "list", ["data"] = input.DeepClone(), ["has_more"] = false })
            : Results.Json(ResponseNotFound(id), statusCode: StatusCodes.Status404NotFound));
        _app.MapDelete("/openai/v1/responses/{id}", (string id) => KeptResponses.TryRemove(id, out _)
            ? Results.Json(new JsonObject { ["id"] = id, ["object"] = "response", ["deleted"] = true })
            : Results.Json(ResponseNotFound(id), statusCode: StatusCodes.Status404NotFound));
        _app.MapGet("/openai/v1/models", context => ReplayAsync(context, "openai-models.json"));
        _app.MapPost("/openai/v1/embeddings", context => AnswerAsync(context, "openai", "openai-embeddings.json", "openai-stream.txt"));
        _app.MapPost("/anthropic/v1/messages", context => AnswerAsync(context, "anthropic", "anthropic-message.json", "anthropic-stream.txt"));
        _app.MapGet("/anthropic/v1/models", context => ReplayAsync(context, "anthropic-models.json"));
        _app.MapPost("/moderation", ModerateAsync);
        _app.MapPost("/moderation/answers", ModerateAnswersAsync);
        // Gemini: models/{model}:generateContent, or :streamGenerateContent?alt=sse.
        _app.MapPost("/gemini/v1beta/models/{call}", (HttpContext context, string call) => call.EndsWith(":batchEmbedContents", StringComparison.Ordinal)
            ? AnswerAsync(context, "gemini", "gemini-embeddings.json", "gemini-stream.txt", streaming: false)
            : AnswerAsync(context, "gemini", "gemini-generate.json", "gemini-stream.txt", streaming: call.EndsWith(":streamGenerateContent", StringComparison.Ordinal)
                && context.Request.Query["alt"] == "sse"));
        _app.MapGet("/gemini/v1beta/models", () => Results.Json(new JsonObject
        {
            ["models"] = new JsonArray(new JsonObject { ["name"] = "models/gemini-2.5-flash", ["displayName"] = "Gemini 2.5 Flash" }),
        }));
        // Bedrock's Converse API, each request's SigV4 signature checked; its model list.
        _app.MapPost("/bedrock/model/{model}/{call}", BedrockAsync);
        _app.MapGet("/bedrock/foundation-models", context => ReplayAsync(context, "bedrock-foundation-models.json"));
        // Vertex AI: Gemini models (generateContent) and Claude models (rawPredict) of a location.
        _app.MapPost("/vertex/v1/projects/demo/locations/us-central1/publishers/{publisher}/models/{call}", (HttpContext context, string publisher, string call) =>
        {
            VertexCalls.Enqueue($"{publisher}/{call}");
            if (call.EndsWith(":predict", StringComparison.Ordinal))
            {
                return AnswerAsync(context, "vertex-google", "vertex-embeddings.json", "gemini-stream.txt", streaming: false);
            }

            return publisher == "anthropic"
                ? AnswerAsync(context, "vertex-anthropic", "anthropic-message.json", "anthropic-stream.txt", streaming: call.EndsWith(":streamRawPredict", StringComparison.Ordinal))
                : AnswerAsync(context, "vertex-google", "gemini-generate.json", "gemini-stream.txt", streaming: call.EndsWith(":streamGenerateContent", StringComparison.Ordinal));
        });
        // Azure OpenAI's deployments API: the deployment in the path, the api-version in the query.
        _app.MapPost("/azure/openai/deployments/{deployment}/chat/completions", (HttpContext context, string deployment) =>
        {
            AzureCalls.Enqueue((deployment, context.Request.Query["api-version"].ToString()));
            return AnswerAsync(context, "azure", "openai-completion.json", "openai-stream.txt");
        });
    }

    /// <summary>The responses the native Responses API keeps, by id (as JSON).</summary>
    public ConcurrentDictionary<string, string> KeptResponses { get; } = new(StringComparer.Ordinal);

    /// <summary>The input of each kept response, as items (a string input is one user message).</summary>
    public ConcurrentDictionary<string, JsonArray> KeptInputs { get; } = new(StringComparer.Ordinal);

    /// <summary>What the moderation webhook was asked, and with which headers.</summary>
    public ConcurrentQueue<(IReadOnlyDictionary<string, string> Headers, JsonObject Body)> Moderations { get; } = new();

    public Uri ModerationUrl => new(Address, "/moderation");

    /// <summary>A webhook for answers: it rejects texts that make plans "tonight", and masks "Paris" and "Claude".</summary>
    public Uri AnswerModerationUrl => new(Address, "/moderation/answers");

    /// <summary>The Azure OpenAI deployment and api-version of each call to <see cref="AzureUrl"/>.</summary>
    public ConcurrentQueue<(string Deployment, string ApiVersion)> AzureCalls { get; } = new();

    /// <summary>The Bedrock model and call (converse or converse-stream) of each request to <see cref="BedrockUrl"/>.</summary>
    public ConcurrentQueue<(string Model, string Call)> BedrockCalls { get; } = new();

    /// <summary>The publisher and "model:method" of each call to <see cref="VertexUrl"/>.</summary>
    public ConcurrentQueue<string> VertexCalls { get; } = new();

    /// <summary>Bedrock's runtime endpoint; requests must be signed with <see cref="AwsAccessKey"/> for us-east-1.</summary>
    public Uri BedrockUrl => new(Address, "/bedrock");

    /// <summary>A Vertex AI location of project "demo".</summary>
    public Uri VertexUrl => new(Address, "/vertex/v1/projects/demo/locations/us-central1");

    public const string AwsAccessKey = "AKIDEXAMPLE";

    public const string AwsSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// <summary>An Azure OpenAI resource's endpoint.</summary>
    public Uri AzureUrl => new(Address, "/azure");

    public Uri Address { get; }

    public Uri OpenAiUrl => new(Address, "/openai/v1");

    public Uri AnthropicUrl => new(Address, "/anthropic");

    /// <summary>What the providers received: "openai" or "anthropic", the request's headers and JSON body.</summary>
    public ConcurrentQueue<(string Provider, IReadOnlyDictionary<string, string> Headers, JsonObject Body)> Requests { get; } = new();

    public static string RecordedFile(string name) => Path.Combine(ServiceProcess.RepositoryRoot, "AgentGateway.Tests", "Proxy", "Kinds", "Llm", "Recorded", name);

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
        else if ((string?)body["model"] == "gpt-4o-long")
        {
            stream = "openai-long-stream.txt";
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

        await StreamEventsAsync(context, await File.ReadAllTextAsync(RecordedFile(stream), context.RequestAborted));
    }

    /// <summary>Recorded server-sent events one by one, flushed, as a provider streams them; each passes <paramref name="sent"/> first.</summary>
    private static async Task StreamEventsAsync(HttpContext context, string text, Action<string>? sent = null)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var sse in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            sent?.Invoke(sse);
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(sse + "\n\n"), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>
    /// The Responses API of a provider that serves it: an unknown previous_response_id is refused as OpenAI does; the
    /// model "gpt-4.1-tools" answers with a function call, "gpt-4.1-travel" with text that names Paris, any other with
    /// text; a stream is the recorded events. Each answer gets a new id and is kept.
    /// </summary>
    private async Task NativeResponseAsync(HttpContext context, string provider)
    {
        var body = (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)) as JsonObject)!;
        Requests.Enqueue((provider, context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal), body));
        if ((string?)body["previous_response_id"] is { } previous && !KeptResponses.ContainsKey(previous))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            var error = ResponseNotFound(previous);
            error["error"]!["message"] = $"Previous response with id '{previous}' not found.";
            error["error"]!["param"] = "previous_response_id";
            error["error"]!["code"] = "previous_response_not_found";
            await context.Response.WriteAsJsonAsync(error, context.RequestAborted);
            return;
        }

        var id = $"resp_{Guid.NewGuid():N}{Guid.NewGuid():N}"[..53];
        KeptInputs[id] = body["input"] is JsonArray items
            ? (JsonArray)items.DeepClone()
            : new JsonArray(new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = body["input"]?.DeepClone() });
        var streaming = (bool?)body["stream"] == true;
        var file = streaming ? "openai-response-stream.txt" : (string?)body["model"] == "gpt-4.1-tools" ? "openai-response-tools.json" : "openai-response.json";
        var text = RecordedResponseId().Replace(await File.ReadAllTextAsync(RecordedFile(file), context.RequestAborted), id);
        if ((string?)body["model"] == "gpt-4.1-travel")
        {
            // The same answer, about a city (which the answer webhook masks).
            text = text.Replace(" today", " in Paris", StringComparison.Ordinal);
        }

        if (!streaming)
        {
            KeptResponses[id] = text;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(text, context.RequestAborted);
            return;
        }

        // The final event's response is kept, as the provider keeps it.
        await StreamEventsAsync(context, text, sse =>
        {
            if (sse.Contains("\"type\":\"response.completed\"", StringComparison.Ordinal))
            {
                KeptResponses[id] = JsonNode.Parse(sse[(sse.IndexOf("data: ", StringComparison.Ordinal) + "data: ".Length)..])!["response"]!.ToJsonString();
            }
        });
    }

    private static JsonObject ResponseNotFound(string id) => new()
    {
        ["error"] = new JsonObject { ["message"] = $"Response with id '{id}' not found.", ["type"] = "invalid_request_error", ["param"] = null, ["code"] = null },
    };

    [System.Text.RegularExpressions.GeneratedRegex("resp_[0-9a-f]{48}")]
    private static partial System.Text.RegularExpressions.Regex RecordedResponseId();

    /// <summary>
    /// Bedrock: a request whose SigV4 signature is not the one its access key makes for it is refused as AWS does; the
    /// model "no-such-model" is a validation error, "...-tools" answers with a tool use and "throttled" breaks its stream
    /// with an exception; a stream is the recorded events in AWS's event stream encoding.
    /// </summary>
    private async Task BedrockAsync(HttpContext context, string model, string call)
    {
        var bytes = await ReadBytesAsync(context.Request);
        var body = (JsonNode.Parse(bytes) as JsonObject)!;
        Requests.Enqueue(("bedrock", context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal), body));
        BedrockCalls.Enqueue((model, call));
        if (!await SignedByAwsKeyAsync(context, bytes))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("""{"message":"The request signature we calculated does not match the signature you provided."}""", context.RequestAborted);
            return;
        }

        if (model == "no-such-model")
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ReplayAsync(context, "bedrock-validation-error.json");
            return;
        }

        if (call == "invoke")
        {
            await ReplayAsync(context, model.StartsWith("cohere.", StringComparison.Ordinal) ? "bedrock-cohere-embeddings.json" : "bedrock-titan-embedding.json");
            return;
        }

        var tools = model.EndsWith("-tools", StringComparison.Ordinal);
        if (call == "converse")
        {
            await ReplayAsync(context, tools ? "bedrock-converse-tools.json" : "bedrock-converse.json");
            return;
        }

        context.Response.ContentType = "application/vnd.amazon.eventstream";
        var recorded = JsonNode.Parse(await File.ReadAllTextAsync(RecordedFile(model == "throttled" ? "bedrock-throttled-stream.json" : tools ? "bedrock-tool-stream.json" : "bedrock-stream.json"), context.RequestAborted))!.AsArray();
        foreach (var message in recorded.OfType<JsonObject>())
        {
            var headers = message["exception"] is { } exception
                ? new[] { (":message-type", "exception"), (":exception-type", (string)exception!), (":content-type", "application/json") }
                : [(":message-type", "event"), (":event-type", (string)message["event"]!), (":content-type", "application/json")];
            await context.Response.Body.WriteAsync(EventStreamMessage(headers, Encoding.UTF8.GetBytes(message["payload"]!.ToJsonString())), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>Whether the request carries the SigV4 signature its method, URL, signed headers and body make with the test key.</summary>
    private static async Task<bool> SignedByAwsKeyAsync(HttpContext context, byte[] body)
    {
        var date = context.Request.Headers["X-Amz-Date"].ToString();
        if (!DateTimeOffset.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return false;
        }

        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
        using var expected = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri($"http://{context.Request.Host}{target}"))
        {
            Content = new ByteArrayContent(body),
        };
        expected.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
        await AwsSigV4Signer.SignAsync(expected, "us-east-1", "bedrock", AwsAccessKey, AwsSecretKey, null, signedAt, context.RequestAborted);
        return expected.Headers.TryGetValues("Authorization", out var authorization) && authorization.Single() == context.Request.Headers.Authorization.ToString();
    }

    /// <summary>One message in AWS's event stream encoding: the prelude and its CRC, string headers, the payload and the message's CRC.</summary>
    public static byte[] EventStreamMessage(IEnumerable<(string Name, string Value)> headers, byte[] payload)
    {
        using var encodedHeaders = new MemoryStream();
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            encodedHeaders.WriteByte((byte)nameBytes.Length);
            encodedHeaders.Write(nameBytes);
            encodedHeaders.WriteByte(7);
            encodedHeaders.WriteByte((byte)(valueBytes.Length >> 8));
            encodedHeaders.WriteByte((byte)valueBytes.Length);
            encodedHeaders.Write(valueBytes);
        }

        var headerBytes = encodedHeaders.ToArray();
        var message = new byte[16 + headerBytes.Length + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), headerBytes.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), System.IO.Hashing.Crc32.HashToUInt32(message.AsSpan(0, 8)));
        headerBytes.CopyTo(message, 12);
        payload.CopyTo(message, 12 + headerBytes.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(message.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(message.AsSpan(0, message.Length - 4)));
        return message;
    }

    private static async Task<byte[]> ReadBytesAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }

    private Task ModerateAsync(HttpContext context) => ModerateAsync(context, "forbidden topic", "The moderation service does not allow this topic.", ("secret-project", "[PROJECT]"));

    private Task ModerateAnswersAsync(HttpContext context) => ModerateAsync(context, "tonight", "The answer makes plans.", ("Paris", "[CITY]"), ("Claude", "[MODEL]"));

    /// <summary>A moderation decision: texts containing <paramref name="rejected"/> are refused, the <paramref name="masks"/> replaced.</summary>
    private async Task ModerateAsync(HttpContext context, string rejected, string message, params (string Text, string Mask)[] masks)
    {
        var body = (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)) as JsonObject)!;
        Moderations.Enqueue((context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal), body));
        var texts = (body["texts"] as JsonArray ?? []).Select(text => (string?)text ?? string.Empty).ToList();
        string Masked(string text) => masks.Aggregate(text, (current, mask) => current.Replace(mask.Text, mask.Mask, StringComparison.Ordinal));
        JsonObject decision = texts.Any(text => text.Contains(rejected, StringComparison.OrdinalIgnoreCase))
            ? new() { ["action"] = "reject", ["message"] = message }
            : texts.Any(text => Masked(text) != text)
                ? new() { ["action"] = "mask", ["texts"] = new JsonArray([.. texts.Select(text => (JsonNode?)Masked(text))]) }
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
