using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Exchange;
using AgentGateway.Proxy.Kinds.Llm.Guards;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Health;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Health;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.Proxy.Kinds.Llm;

/// <summary>
/// The LLM route kind: below the route's path (with or without <c>/v1</c>) OpenAI's <c>chat/completions</c>,
/// <c>responses</c>, <c>embeddings</c> and <c>models</c> and Anthropic's <c>messages</c>. Each request of a client API
/// is an exchange with the model's targets (<see cref="LlmExchanges"/>); the model list and stored responses are
/// answered here. Every error is in the client API's shape.
/// </summary>
internal sealed class LlmRouteHandler(LlmExchanges exchanges, BackendHttpClients clients, LlmMetrics metrics, LlmResponseStore responses) : IRouteKind
{
    public Route.BackendOneofCase Backend => Route.BackendOneofCase.Llm;

    public async Task RefuseAsync(HttpContext context, RouteRequest request, PolicyRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refusal);
        var relative = Relative(context, request.Match);
        foreach (var (name, value) in refusal.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        // Anthropic's clients send its version header; their errors go in its shape.
        var api = relative == "/messages" || context.Request.Headers.ContainsKey("anthropic-version") ? LlmClientApi.AnthropicMessages : LlmClientApi.OpenAiChat;
        await LlmErrors.WriteAsync(context, refusal.StatusCode, api.Error(refusal.StatusCode, refusal.Message));
        metrics.Record(request.Runtime.Key, api, null, string.Empty, "refused", null, TimeSpan.Zero, null);
    }

    public async Task ServeAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        var route = request.Route;
        var runtime = request.Runtime;
        var relative = Relative(context, request.Match);
        var api = relative == "/messages" || context.Request.Headers.ContainsKey("anthropic-version") ? LlmClientApi.AnthropicMessages : LlmClientApi.OpenAiChat;
        var scope = request.Allowed;
        // Providers get the gateway's own requests: the route's header changes go on them.
        scope = scope.WithRequestHeaderChanges();
        switch (relative)
        {
            case "/chat/completions" when HttpMethods.IsPost(context.Request.Method):
                await exchanges.RunAsync(context, runtime, scope, LlmClientApi.OpenAiChat);
                break;
            case "/messages" when HttpMethods.IsPost(context.Request.Method):
                await exchanges.RunAsync(context, runtime, scope, LlmClientApi.AnthropicMessages);
                break;
            case "/embeddings" when HttpMethods.IsPost(context.Request.Method):
                await exchanges.RunAsync(context, runtime, scope, LlmClientApi.OpenAiEmbeddings);
                break;
            case "/responses" when HttpMethods.IsPost(context.Request.Method):
                await exchanges.RunAsync(context, runtime, scope, LlmClientApi.OpenAiResponses);
                break;
            case "/models" when HttpMethods.IsGet(context.Request.Method):
                await ModelsAsync(context, route.Llm, scope);
                break;
            case var stored when stored.StartsWith("/responses/", StringComparison.Ordinal) && StoredResponseRequest(context.Request.Method, stored) is var (id, action):
                await StoredResponseAsync(context, route, scope, id, action);
                break;
            case "/chat/completions" or "/messages" or "/embeddings" or "/responses" or "/models":
                context.Response.Headers.Allow = relative == "/models" ? "GET" : "POST";
                await LlmErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, api.Error(StatusCodes.Status405MethodNotAllowed, $"{context.Request.Method} is not allowed here."));
                break;
            default:
                await LlmErrors.WriteAsync(context, StatusCodes.Status404NotFound, api.Error(StatusCodes.Status404NotFound,
                    $"Unknown endpoint: {relative}. This route serves /v1/chat/completions, /v1/responses, /v1/messages, /v1/embeddings and /v1/models.", "unknown_url"));
                break;
        }
    }

    /// <summary>
    /// What a request below <c>/responses/</c> asks of a stored response: <c>GET</c> or <c>DELETE {id}</c>,
    /// <c>GET {id}/input_items</c>, <c>POST {id}/cancel</c>; null for anything else.
    /// </summary>
    private static (string Id, string? Action)? StoredResponseRequest(string method, string path)
    {
        var rest = path["/responses/".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var (id, action) = slash < 0 ? (rest, null) : (rest[..slash], rest[(slash + 1)..]);
        var allowed = action switch
        {
            null => HttpMethods.IsGet(method) || HttpMethods.IsDelete(method),
            "input_items" => HttpMethods.IsGet(method),
            "cancel" => HttpMethods.IsPost(method),
            _ => false,
        };
        return allowed && id.Length > 0 ? (Uri.UnescapeDataString(id), action) : null;
    }

    /// <summary>
    /// <c>GET</c> or <c>DELETE {path}/v1/responses/{id}</c>, <c>GET .../input_items</c> and <c>POST .../cancel</c>: a
    /// response the caller stored on the route (read as it was sent, past the answer guards); deleted at, and its input
    /// listed by, the provider that keeps it when it serves the Responses API itself.
    /// </summary>
    private async Task StoredResponseAsync(HttpContext context, Route route, RequestScope scope, string id, string? action)
    {
        var api = LlmClientApi.OpenAiResponses;
        var deleting = HttpMethods.IsDelete(context.Request.Method);
        try
        {
            switch (await responses.FindAsync(route, scope.Caller, id, context.RequestAborted))
            {
                case { } when action == "cancel":
                    // The gateway answers the Responses API in the foreground only, as OpenAI answers a response not created in the background.
                    await LlmErrors.WriteAsync(context, StatusCodes.Status400BadRequest,
                        api.Error(StatusCodes.Status400BadRequest, "Only responses created with background set to true can be cancelled.", "invalid_request_error"));
                    return;
                case { } claimed when (string?)claimed["provider"] is { } keeper && (deleting || action == "input_items"):
                    // Deleted at the provider that keeps it, and its input listed there; read, it is the copy the caller was sent.
                    if (await ProviderResponseAsync(context, route, scope, id, action, keeper) && deleting)
                    {
                        await responses.DeleteAsync(route, scope.Caller, id, context.RequestAborted);
                    }

                    return;
                case { } stored when action == "input_items" && stored["items"] is JsonArray items:
                    // The conversation is stored whole: the input is what came before the response's output.
                    var inputs = items.Take(items.Count - ((stored["response"]?["output"] as JsonArray)?.Count ?? 0)).Select(item => item?.DeepClone()).ToArray();
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(new JsonObject
                    {
                        ["object"] = "list",
                        ["data"] = new JsonArray(inputs),
                        ["first_id"] = inputs.FirstOrDefault()?["id"]?.DeepClone(),
                        ["last_id"] = inputs.LastOrDefault()?["id"]?.DeepClone(),
                        ["has_more"] = false,
                    }.ToJsonString(), context.RequestAborted);
                    return;
                case { } stored when deleting && await responses.DeleteAsync(route, scope.Caller, id, context.RequestAborted):
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(new JsonObject { ["id"] = id, ["object"] = "response", ["deleted"] = true }.ToJsonString(), context.RequestAborted);
                    return;
                case { } stored when action is null && !deleting && stored["response"] is JsonObject response:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
                    return;
                default:
                    await LlmErrors.WriteAsync(context, StatusCodes.Status404NotFound, api.Error(StatusCodes.Status404NotFound, $"Response with id '{id}' not found.", "not_found"));
                    return;
            }
        }
        catch (RateLimiterUnavailableException exception)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                api.Error(StatusCodes.Status503ServiceUnavailable, $"Stored responses cannot be read: {exception.Message}."));
        }
    }

    /// <summary>
    /// The request for a stored response sent on to the provider that keeps it (<paramref name="keeper"/>), its answer
    /// relayed; true when the provider answered 2xx.
    /// </summary>
    private async Task<bool> ProviderResponseAsync(HttpContext context, Route route, RequestScope scope, string id, string? action, string keeper)
    {
        var api = LlmClientApi.OpenAiResponses;
        if (route.Llm.Providers.FirstOrDefault(provider => provider.Name == keeper && provider.NativeResponses) is not { } provider)
        {
            await LlmErrors.WriteAsync(context, StatusCodes.Status404NotFound,
                api.Error(StatusCodes.Status404NotFound, $"Response with id '{id}' was kept by provider '{keeper}', which this route no longer has.", "not_found"));
            return false;
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(NativeResponsesAdapter.Url(provider, $"/{Uri.EscapeDataString(id)}{(action is null ? string.Empty : "/" + action)}") + context.Request.QueryString.Value));
        switch (await AskProviderAsync(context, provider, scope, request))
        {
            case null:
                await LlmErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
                    api.Error(StatusCodes.Status502BadGateway, $"Provider '{provider.Name}' could not be reached for response '{id}'.", "provider_unavailable"));
                return false;
            case var (status, text) when status >= 400:
                await LlmErrors.WriteAsync(context, status, NativeResponsesAdapter.Instance.ToError(status, text));
                return false;
            case var (_, text) when ProviderAdapter.ParseObject(text) is null:
                await LlmErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
                    api.Error(StatusCodes.Status502BadGateway, $"Provider '{provider.Name}' sent an answer that is not a JSON object."));
                return false;
            case var (_, text):
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(text, context.RequestAborted);
                return true;
        }
    }

    /// <summary>
    /// <paramref name="request"/> sent to <paramref name="provider"/> as its requests are (its credentials, TLS and
    /// timeout): the status and body it answered, or null when it could not be reached in time.
    /// </summary>
    private async Task<(int Status, string Text)?> AskProviderAsync(HttpContext context, LlmProvider provider, RequestScope scope, HttpRequestMessage request)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(provider.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(provider.TimeoutMs) : LlmExchanges.DefaultTimeout);
        new BackendRequestContext(provider.Auth, scope.Caller, provider.Tls).Apply(request);
        try
        {
            using var response = await clients.For(provider.Tls).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return ((int)response.StatusCode, await exchanges.ReadTextAsync(response, timeout.Token));
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task ModelsAsync(HttpContext context, LlmBackend llm, RequestScope scope)
    {
        var list = new JsonArray();
        if (llm.Models.Count > 0)
        {
            foreach (var model in llm.Models)
            {
                list.Add(new JsonObject { ["id"] = model.Name, ["object"] = "model", ["created"] = 0, ["owned_by"] = model.Targets.FirstOrDefault()?.Provider ?? "gateway" });
            }
        }
        else if (llm.Providers.FirstOrDefault() is { } provider)
        {
            // Any model goes to the first provider: its own list is the route's.
            using var request = LlmModelLists.CreateRequest(provider);
            switch (await AskProviderAsync(context, provider, scope, request))
            {
                case null:
                    await LlmErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
                        LlmClientApi.OpenAiChat.Error(StatusCodes.Status502BadGateway, $"Provider '{provider.Name}' could not list its models.", "provider_unavailable"));
                    return;
                case var (status, text) when status is < 200 or >= 300:
                    await LlmErrors.WriteAsync(context, status, LlmClientApi.OpenAiChat.AdapterFor(provider, string.Empty)!.ToError(status, text));
                    return;
                case var (_, text):
                    foreach (var model in LlmModelLists.ToOpenAi(provider, ProviderAdapter.ParseObject(text) ?? []))
                    {
                        list.Add(model);
                    }

                    break;
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = list }.ToJsonString(), context.RequestAborted);
    }

    private static string RouteKey(Route route) => $"{route.Tenant}/{route.Name}";

    /// <summary>The request's path below the route's prefix (and <c>/v1</c>), without a trailing '/'.</summary>
    private static string Relative(HttpContext context, RouteMatchResult match)
    {
        var prefix = match.MatchedPrefix ?? string.Empty;
        var path = context.Request.Path.Value ?? string.Empty;
        var relative = path.Length >= prefix.Length ? path[prefix.Length..].TrimEnd('/') : string.Empty;
        return relative.StartsWith("/v1/", StringComparison.Ordinal) ? relative[3..] : relative;
    }

    /// <summary>Every provider, probed with its model list (or the check's path below its URL) when the route has an active check.</summary>
    public IEnumerable<HealthTarget> HealthTargetsOf(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var name = RouteKey(route);
        var check = route.Llm.ActiveHealthCheck;
        foreach (var provider in route.Llm.Providers)
        {
            var probe = check is null ? null : new HealthProbe(check, (check, provider), provider.Tls, () => ProviderProbe(check, provider));
            yield return new HealthTarget(DestinationHealthRegistry.KeyOf(route, provider), name, provider.Name, provider.Url, probe);
        }
    }

    /// <summary>A provider's probe: its model list (or the check's path below its URL), authenticated as its requests are.</summary>
    private static HttpRequestMessage ProviderProbe(ActiveHealthCheck check, LlmProvider provider)
    {
        var request = check.Path.Length == 0
            ? LlmModelLists.CreateRequest(provider)
            : new HttpRequestMessage(HttpMethod.Get, new Uri(provider.Url.TrimEnd('/') + check.Path));
        return new BackendRequestContext(provider.Auth, null, provider.Tls).Apply(request);
    }

}

internal static class LlmGatewayExtensions
{
    public static IServiceCollection AddLlmGateway(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<LlmMetrics>();
        services.AddSingleton<LlmWebhooks>();
        services.AddSingleton<LlmResponseStore>();
        services.AddSingleton<LlmKeyLimiter>();
        services.AddSingleton<LlmExchanges>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteKind, LlmRouteHandler>());
        return services;
    }
}
