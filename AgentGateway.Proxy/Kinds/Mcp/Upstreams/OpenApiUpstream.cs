using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Upstream;
using Google.Protobuf;

namespace AgentGateway.Proxy.Kinds.Mcp.Upstreams;

/// <summary>
/// A REST API as an MCP target: every operation of its OpenAPI 3 document is a tool whose input schema merges the
/// operation's path, query and header parameters with the properties of its JSON body; a call is a real HTTP request
/// with the target's headers. Documents are cached per target config for a few minutes.
/// </summary>
internal sealed partial class OpenApiUpstream(BackendHttpClients clients, TimeProvider timeProvider, Microsoft.Extensions.Options.IOptions<GatewayLimitsOptions> limits)
{
    private static readonly TimeSpan s_cacheFor = TimeSpan.FromMinutes(5);
    private static readonly string[] s_methods = ["get", "put", "post", "delete", "patch", "head", "options"];
    private const int MaxResponseCharacters = 100_000;

    private readonly ConcurrentDictionary<string, (DateTimeOffset Loaded, Task<Catalog> Catalog)> _catalogs = new(StringComparer.Ordinal);

    /// <summary>Answers one JSON-RPC request for the target: <c>tools/list</c>, <c>tools/call</c> or <c>ping</c>.</summary>
    public async Task<JsonObject> HandleAsync(McpTarget target, GatewayCaller? caller, JsonObject request, CancellationToken cancellationToken)
    {
        var id = request["id"];
        var transport = target.Openapi;
        var catalog = await GetCatalogAsync(target, cancellationToken);
        switch (JsonRpc.Method(request))
        {
            case "ping":
                return JsonRpcMessages.Result(id, new JsonObject());
            case "tools/list":
                return JsonRpcMessages.Result(id, new JsonObject { ["tools"] = new JsonArray([.. catalog.Operations.Values.Select(operation => (JsonNode)operation.Tool.DeepClone())]) });
            case "tools/call":
                var name = JsonRpc.GetString(request["params"], "name");
                if (name is null || !catalog.Operations.TryGetValue(name, out var operation))
                {
                    return JsonRpcMessages.Error(id, JsonRpcErrorCodes.InvalidParams, $"Unknown tool: '{name}' is no operation of the API.");
                }

                return JsonRpcMessages.Result(id, await CallAsync(target, caller, catalog, operation, request["params"]?["arguments"] as JsonObject ?? [], cancellationToken));
            default:
                return JsonRpcMessages.Error(id, JsonRpcErrorCodes.MethodNotFound, $"Method not found: an OpenAPI target offers tools only.");
        }
    }

    /// <summary>Loads (or takes from the cache) the target's document as tools.</summary>
    public Task<Catalog> GetCatalogAsync(McpTarget target, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(target.ToByteArray());
        var now = timeProvider.GetUtcNow();
        var entry = _catalogs.AddOrUpdate(
            key,
            _ => (now, LoadAsync(target)),
            (_, existing) => now - existing.Loaded > s_cacheFor || existing.Catalog.IsFaulted ? (now, LoadAsync(target)) : existing);
        return entry.Catalog.WaitAsync(cancellationToken);
    }

    private async Task<Catalog> LoadAsync(McpTarget target)
    {
        var transport = target.Openapi;
        using var request = new BackendRequestContext(target.Auth, null, target.Tls).Apply(new HttpRequestMessage(HttpMethod.Get, transport.SpecUrl));
        AddHeaders(request, transport);
        JsonObject document;
        try
        {
            using var response = await clients.For(target.Tls).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            var bytes = await BoundedBody.ReadBytesAsync(
                response.Content, limits.Value.MaxFetchedDocumentBytes, "the OpenAPI document", LimitMetrics.FetchedDocument, CancellationToken.None);
            document = JsonNode.Parse(bytes) as JsonObject
                ?? throw new UpstreamException("the OpenAPI document is not a JSON object");
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or MessageTooLargeException)
        {
            throw new UpstreamException($"the OpenAPI document could not be loaded: {exception.Message}", exception);
        }

        var baseUrl = BaseUrl(transport, document);
        var operations = new Dictionary<string, Operation>(StringComparer.Ordinal);
        foreach (var (path, pathNode) in document["paths"] as JsonObject ?? [])
        {
            if (pathNode is not JsonObject pathItem)
            {
                continue;
            }

            var shared = pathItem["parameters"] as JsonArray ?? [];
            foreach (var method in s_methods)
            {
                if (pathItem[method] is JsonObject operation)
                {
                    var built = BuildOperation(document, path, method, operation, shared, operations);
                    operations[built.Name] = built;
                }
            }
        }

        return new Catalog(baseUrl, operations);
    }

    private static Operation BuildOperation(
        JsonObject document, string path, string method, JsonObject operation, JsonArray shared, Dictionary<string, Operation> existing)
    {
        var name = ToolName(JsonRpc.GetString(operation, "operationId") ?? $"{method}_{path}");
        for (var suffix = 2; existing.ContainsKey(name); suffix++)
        {
            name = $"{name}_{suffix}";
        }

        var properties = new JsonObject();
        var required = new JsonArray();
        var parameters = new List<Parameter>();
        foreach (var node in shared.Concat(operation["parameters"] as JsonArray ?? []))
        {
            if (Resolve(document, node, 0) is not JsonObject parameter || JsonRpc.GetString(parameter, "name") is not { } parameterName
                || JsonRpc.GetString(parameter, "in") is not { } location || location is not ("path" or "query" or "header"))
            {
                continue;
            }

            parameters.RemoveAll(existingParameter => existingParameter.Name == parameterName);
            parameters.Add(new Parameter(parameterName, location));
            var schema = parameter["schema"]?.DeepClone() as JsonObject ?? new JsonObject { ["type"] = "string" };
            if (JsonRpc.GetString(parameter, "description") is { } description)
            {
                schema["description"] = description;
            }

            properties[parameterName] = schema;
            if (location == "path" || parameter["required"]?.GetValueKind() == JsonValueKind.True)
            {
                required.Add(parameterName);
            }
        }

        string? bodyProperty = null;
        var bodyProperties = new List<string>();
        if (Resolve(document, operation["requestBody"], 0) is JsonObject body
            && body["content"]?["application/json"]?["schema"] is JsonNode bodySchemaNode)
        {
            var bodySchema = Resolve(document, bodySchemaNode, 0) as JsonObject ?? [];
            var bodyRequired = body["required"]?.GetValueKind() == JsonValueKind.True;
            if (bodySchema["properties"] is JsonObject fields && fields.All(field => !properties.ContainsKey(field.Key)))
            {
                // An object body's fields sit beside the parameters.
                foreach (var (field, schema) in fields)
                {
                    properties[field] = schema?.DeepClone();
                    bodyProperties.Add(field);
                }

                foreach (var field in (bodySchema["required"] as JsonArray ?? []).Select(field => field?.ToString()).OfType<string>())
                {
                    if (bodyRequired)
                    {
                        required.Add(field);
                    }
                }
            }
            else
            {
                bodyProperty = properties.ContainsKey("body") ? "requestBody" : "body";
                properties[bodyProperty] = bodySchema.DeepClone();
                if (bodyRequired)
                {
                    required.Add(bodyProperty);
                }
            }
        }

        var tool = new JsonObject
        {
            ["name"] = name,
            ["title"] = JsonRpc.GetString(operation, "summary"),
            ["description"] = string.Join(" — ", new[] { JsonRpc.GetString(operation, "summary"), JsonRpc.GetString(operation, "description"), $"{method.ToUpperInvariant()} {path}" }
                .Where(text => !string.IsNullOrWhiteSpace(text))),
            ["inputSchema"] = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required },
        };
        if (method is "get" or "head" or "options")
        {
            tool["annotations"] = new JsonObject { ["readOnlyHint"] = true };
        }

        return new Operation(name, method, path, parameters, bodyProperties, bodyProperty, tool);
    }

    private async Task<JsonObject> CallAsync(McpTarget target, GatewayCaller? caller, Catalog catalog, Operation operation, JsonObject arguments, CancellationToken cancellationToken)
    {
        var path = new StringBuilder(operation.Path);
        var query = new List<string>();
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), (Uri?)null);
        AddHeaders(request, target.Openapi);
        foreach (var parameter in operation.Parameters)
        {
            if (arguments[parameter.Name] is not { } value)
            {
                continue;
            }

            var argument = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
            switch (parameter.In)
            {
                case "path":
                    path.Replace("{" + parameter.Name + "}", Uri.EscapeDataString(argument));
                    break;
                case "query":
                    query.Add($"{Uri.EscapeDataString(parameter.Name)}={Uri.EscapeDataString(argument)}");
                    break;
                default:
                    request.Headers.TryAddWithoutValidation(parameter.Name, argument);
                    break;
            }
        }

        if (PathParameter().IsMatch(path.ToString()))
        {
            return ToolError($"Missing path parameter(s) for {operation.Method.ToUpperInvariant()} {operation.Path}.");
        }

        request.RequestUri = new Uri(catalog.BaseUrl.TrimEnd('/') + path + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty));
        JsonNode? body = operation.BodyProperty is { } bodyProperty
            ? arguments[bodyProperty]?.DeepClone()
            : operation.BodyProperties.Count > 0
                ? new JsonObject(operation.BodyProperties.Where(arguments.ContainsKey).Select(field => KeyValuePair.Create(field, arguments[field]?.DeepClone())))
                : null;
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        new BackendRequestContext(target.Auth, caller, target.Tls).Apply(request);
        using var response = await clients.For(target.Tls).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        string text;
        try
        {
            text = await BoundedBody.ReadStringAsync(response.Content, limits.Value.MaxUpstreamMessageBytes, "the API's answer", LimitMetrics.UpstreamMessage, cancellationToken);
        }
        catch (MessageTooLargeException exception)
        {
            throw new UpstreamException(exception.Message, exception);
        }

        if (text.Length > MaxResponseCharacters)
        {
            text = text[..MaxResponseCharacters] + "\n[truncated]";
        }

        var result = new JsonObject
        {
            ["content"] = new JsonArray(new JsonObject
            {
                ["type"] = "text",
                ["text"] = response.IsSuccessStatusCode ? text : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {text}",
            }),
            ["isError"] = !response.IsSuccessStatusCode,
        };
        if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            try
            {
                if (JsonNode.Parse(text) is JsonObject structured)
                {
                    result["structuredContent"] = structured;
                }
            }
            catch (JsonException)
            {
                // Truncated or not JSON after all: the text stands.
            }
        }

        return result;
    }

    private static JsonObject ToolError(string message) => new()
    {
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = message }),
        ["isError"] = true,
    };

    private static string BaseUrl(OpenApiTransport transport, JsonObject document)
    {
        if (!string.IsNullOrEmpty(transport.BaseUrl))
        {
            return transport.BaseUrl;
        }

        var server = JsonRpc.GetString((document["servers"] as JsonArray)?.FirstOrDefault(), "url") ?? "/";
        return new Uri(new Uri(transport.SpecUrl), server).AbsoluteUri;
    }

    private static void AddHeaders(HttpRequestMessage request, OpenApiTransport transport)
    {
        foreach (var (name, value) in transport.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>Inlines local <c>$ref</c>s (<c>#/components/...</c>) of <paramref name="node"/>; cycles end in an empty schema.</summary>
    private static JsonNode? Resolve(JsonObject document, JsonNode? node, int depth)
    {
        if (depth > 16)
        {
            return new JsonObject();
        }

        switch (node)
        {
            case JsonObject obj when JsonRpc.GetString(obj, "$ref") is { } reference:
                return reference.StartsWith("#/", StringComparison.Ordinal) && Pointer(document, reference[2..]) is { } target
                    ? Resolve(document, target, depth + 1)
                    : new JsonObject();
            case JsonObject obj:
                return new JsonObject(obj.Select(pair => KeyValuePair.Create(pair.Key, Resolve(document, pair.Value, depth + 1))));
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Resolve(document, item, depth + 1))]);
            default:
                return node?.DeepClone();
        }
    }

    private static JsonNode? Pointer(JsonObject document, string pointer)
    {
        JsonNode? current = document;
        foreach (var segment in pointer.Split('/'))
        {
            current = (current as JsonObject)?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return current;
    }

    private static string ToolName(string raw)
    {
        var name = ToolNameInvalid().Replace(raw, "_").Trim('_');
        return name.Length == 0 ? "operation" : name.Length > 64 ? name[..64] : name;
    }

    [GeneratedRegex("[^A-Za-z0-9_-]+", RegexOptions.CultureInvariant)]
    private static partial Regex ToolNameInvalid();

    [GeneratedRegex(@"\{[^}]+\}", RegexOptions.CultureInvariant)]
    private static partial Regex PathParameter();

    /// <summary>A document's operations as tools, by tool name, and the base URL calls go to.</summary>
    internal sealed record Catalog(string BaseUrl, IReadOnlyDictionary<string, Operation> Operations);

    internal sealed record Operation(
        string Name, string Method, string Path, IReadOnlyList<Parameter> Parameters, IReadOnlyList<string> BodyProperties, string? BodyProperty, JsonObject Tool);

    internal sealed record Parameter(string Name, string In);
}
