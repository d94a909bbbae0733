using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Forwarding;
using Yarp.ReverseProxy.Forwarder;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Shapes one forwarded A2A request: the path below the route goes below the agent's base URL, the body the gateway
/// read is sent as it came and the backend's headers are added. The forwarding service it runs under
/// (<see cref="HttpForwarding"/>) adds the rest: the gateway's credentials kept back, the route's request header
/// changes, backend auth, timeouts, retries and mirrors. On the way back it notes a JSON answer's task state for the metrics
/// (small non-streaming answers only) and rewrites an extended agent card as it does the public one
/// (<see cref="A2aCardRewriter"/>); streams pass through unbuffered.
/// </summary>
/// <param name="gatewayBase">The route's URL as the caller reached it (for extended cards' interface URLs).</param>
internal sealed class A2aTransformer(A2aBackend backend, RequestScope scope, string relativePath, A2aOperation operation, string gatewayBase) : HttpTransformer
{
    /// <summary>The largest JSON answer read for its task state; larger ones just stream through.</summary>
    private const int MaxInspectedResponseBytes = 256 * 1024;

    /// <summary>The task state the agent answered with, when it was read.</summary>
    public string? TaskState { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix.TrimEnd('/'), relativePath, httpContext.Request.QueryString);
        foreach (var (name, value) in backend.Headers)
        {
            proxyRequest.Headers.Remove(name);
            proxyRequest.Headers.TryAddWithoutValidation(name, value);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proxy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (!proxy || proxyResponse is null || operation.IsStreaming
            || proxyResponse.Content.Headers.ContentType?.MediaType is not ("application/json" or "application/a2a+json")
            || proxyResponse.Content.Headers.ContentLength is not (> 0 and <= MaxInspectedResponseBytes))
        {
            return proxy;
        }

        // A small JSON answer: read it, note its task state, and write it on ourselves.
        var body = await proxyResponse.Content.ReadAsByteArrayAsync(cancellationToken);
        if (operation.Method == A2aMethods.GetExtendedAgentCard && proxyResponse.IsSuccessStatusCode)
        {
            body = RewriteCard(body) ?? body;
        }
        else
        {
            TaskState = ReadTaskState(body, operation.Binding);
        }

        httpContext.Response.ContentLength = body.Length;
        await httpContext.Response.Body.WriteAsync(body, cancellationToken);
        return false;
    }

    /// <summary>The extended card of a JSON-RPC result or REST answer, rewritten; null when the answer holds none.</summary>
    private byte[]? RewriteCard(byte[] body)
    {
        try
        {
            if (JsonNode.Parse(body) is not JsonObject root)
            {
                return null;
            }

            var card = operation.Binding == A2aVersions.JsonRpc ? root["result"] as JsonObject : root;
            if (card is null)
            {
                return null;
            }

            A2aCardRewriter.Rewrite(card, new Uri(backend.Url), gatewayBase, scope.Policies);
            return JsonSerializer.SerializeToUtf8Bytes(root);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The state of the task a JSON-RPC result or REST answer carries (<c>status.state</c>, or <c>task.status.state</c> in v1.0).</summary>
    internal static string? ReadTaskState(byte[] body, string binding)
    {
        try
        {
            var root = JsonNode.Parse(body) as JsonObject;
            var result = binding == A2aVersions.JsonRpc ? root?["result"] as JsonObject : root;
            var task = result?["task"] as JsonObject ?? result;
            var state = (task?["status"] as JsonObject)?["state"];
            return state?.GetValueKind() == JsonValueKind.String ? state.GetValue<string>() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
