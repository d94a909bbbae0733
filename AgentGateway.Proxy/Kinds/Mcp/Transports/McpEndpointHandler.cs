using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// The MCP route kind: a browser origin the route does not accept is refused first; refusals are JSON-RPC errors; a
/// request the route's policies let through goes to its transport — Streamable HTTP (with the stateless revision on
/// the same endpoint, <see cref="StreamableHttpEndpoint"/>) or the legacy HTTP+SSE transport beside it
/// (<see cref="LegacySseEndpoint"/>).
/// </summary>
internal sealed class McpEndpointHandler(McpOriginGuard originGuard, StreamableHttpEndpoint streamable, LegacySseEndpoint legacy) : IRouteKind
{
    public Route.BackendOneofCase Backend => Route.BackendOneofCase.Mcp;

    /// <summary>A browser origin the route does not accept is refused before anything else (DNS rebinding).</summary>
    public ValueTask<bool> AnswerBeforePoliciesAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (originGuard.Check(context.Request, request.Runtime.Policies.Traffic.Cors) is not { } refusal)
        {
            return ValueTask.FromResult(false);
        }

        return new ValueTask<bool>(RefuseOriginAsync(context, refusal));
    }

    /// <summary>Answers a request the route's policies refused: the HTTP status and challenge, with a JSON-RPC error.</summary>
    public Task RefuseAsync(HttpContext context, RouteRequest request, PolicyRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refusal);
        foreach (var (name, value) in refusal.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        var code = refusal.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => JsonRpcErrorCodes.Unauthenticated,
            StatusCodes.Status429TooManyRequests => JsonRpcErrorCodes.RateLimited,
            _ => JsonRpcErrorCodes.Forbidden,
        };
        return McpMessages.WriteErrorAsync(context, refusal.StatusCode, null, code, refusal.Message);
    }

    /// <summary>Serves a request the route's policies let through, in the transport and revision it speaks.</summary>
    public async Task ServeAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (route, legacySuffix) = (request.Route, request.Match.LegacySuffix);
        var scope = request.Allowed;

        // The client's request is not copied to MCP servers: the route's header changes go on the gateway's own.
        scope = scope.WithRequestHeaderChanges();

        if (legacySuffix is not null)
        {
            await legacy.HandleAsync(context, route, legacySuffix, scope);
            return;
        }

        await streamable.HandleAsync(context, route, scope);
    }

    private static async Task<bool> RefuseOriginAsync(HttpContext context, string refusal)
    {
        await McpDownstream.WriteJsonAsync(context, StatusCodes.Status403Forbidden, JsonRpcMessages.Error(null, JsonRpcErrorCodes.InvalidRequest, refusal));
        return true;
    }
}
