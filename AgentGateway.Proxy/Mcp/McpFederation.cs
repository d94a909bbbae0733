using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.Mcp;
using AgentGateway.Contracts.V1;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Mcp;

/// <summary>
/// Federates the targets of one MCP route: list methods fan out to every target in parallel and merge the results
/// under the route's naming rule; calls go to the target that owns the name. One failing or slow target never fails
/// a list — it is skipped and logged — and a call to it fails with an error that names it.
/// </summary>
internal sealed partial class McpFederation(
    UpstreamClientFactory clientFactory,
    IOptions<McpGatewayOptions> options,
    ILogger<McpFederation> logger)
{
    public async Task<JsonNode> ListToolsAsync(McpGatewaySession session, McpBackend backend, CancellationToken cancellationToken)
    {
        var prefixed = FederatedNames.UsesPrefix(backend.PrefixMode, backend.Targets.Count);
        var perTarget = await Task.WhenAll(backend.Targets.Select(target =>
            ListTargetToolsAsync(session, target, cancellationToken)));

        var tools = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < backend.Targets.Count; index++)
        {
            var target = backend.Targets[index];
            foreach (var tool in perTarget[index])
            {
                var name = FederatedNames.Compose(target.Name, tool.Name, prefixed);
                if (!seen.Add(name))
                {
                    LogNameCollision(logger, session.RouteKey, name, target.Name);
                    continue;
                }

                var node = JsonSerializer.SerializeToNode(tool, McpJsonUtilities.DefaultOptions)!.AsObject();
                node["name"] = name;
                tools.Add(node);
            }
        }

        return new JsonObject { ["tools"] = tools };
    }

    public async Task<JsonNode> CallToolAsync(
        McpGatewaySession session, McpBackend backend, JsonObject parameters, CancellationToken cancellationToken)
    {
        var name = parameters["name"]?.GetValueKind() == JsonValueKind.String ? parameters["name"]!.GetValue<string>() : null;
        if (string.IsNullOrEmpty(name))
        {
            throw new McpGatewayException(JsonRpcErrorCodes.InvalidParams, "tools/call requires params.name, the name of the tool to call.");
        }

        var (target, upstreamName) = await ResolveToolAsync(session, backend, name, cancellationToken);
        var forwarded = parameters.DeepClone().AsObject();
        forwarded["name"] = upstreamName;
        return await SendAsync(session, target, RequestMethods.ToolsCall, forwarded, $"tool '{name}'", cancellationToken);
    }

    private async Task<(McpTarget Target, string UpstreamName)> ResolveToolAsync(
        McpGatewaySession session, McpBackend backend, string name, CancellationToken cancellationToken)
    {
        if (FederatedNames.UsesPrefix(backend.PrefixMode, backend.Targets.Count))
        {
            if (FederatedNames.TrySplit(name, out var targetName, out var upstreamName)
                && backend.Targets.FirstOrDefault(target => target.Name == targetName) is { } target)
            {
                return (target, upstreamName);
            }

            throw UnknownTool(name);
        }

        if (backend.Targets.Count == 1)
        {
            return (backend.Targets[0], name);
        }

        // Unprefixed names over several targets: the owner is the target that lists the name.
        var perTarget = await Task.WhenAll(backend.Targets.Select(target => ListTargetToolsAsync(session, target, cancellationToken)));
        var owners = backend.Targets.Where((_, index) => perTarget[index].Any(tool => tool.Name == name)).ToList();
        return owners.Count switch
        {
            1 => (owners[0], name),
            0 => throw UnknownTool(name),
            _ => throw new McpGatewayException(
                JsonRpcErrorCodes.InvalidParams,
                $"Tool '{name}' is offered by several targets ({string.Join(", ", owners.Select(owner => owner.Name))}); the route's prefix mode 'never' cannot tell them apart."),
        };
    }

    private static McpGatewayException UnknownTool(string name) =>
        new(JsonRpcErrorCodes.InvalidParams, $"Unknown tool: '{name}' is not offered by this route.");

    private async Task<IReadOnlyList<Tool>> ListTargetToolsAsync(
        McpGatewaySession session, McpTarget target, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.TargetTimeout);
        try
        {
            var client = await session.GetClientAsync(target, clientFactory, timeout.Token);
            var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
            return [.. tools.Select(tool => tool.ProtocolTool)];
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            if (exception is not McpProtocolException)
            {
                session.Reset(target.Name);
            }

            LogTargetListFailed(logger, session.RouteKey, target.Name, exception.Message);
            return [];
        }
    }

    private async Task<JsonNode> SendAsync(
        McpGatewaySession session, McpTarget target, string method, JsonObject parameters, string subject, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.TargetTimeout);
        McpClient client;
        try
        {
            client = await session.GetClientAsync(target, clientFactory, timeout.Token);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            session.Reset(target.Name);
            throw TargetUnavailable(target, exception);
        }

        try
        {
            var response = await client.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, timeout.Token);
            return response.Result ?? new JsonObject();
        }
        catch (McpProtocolException exception)
        {
            // The target answered with a JSON-RPC error: pass its code on, saying which target it came from.
            throw new McpGatewayException((int)exception.ErrorCode, $"Target '{target.Name}' refused {subject}: {exception.Message}", exception);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            session.Reset(target.Name);
            throw TargetUnavailable(target, exception);
        }
    }

    private McpGatewayException TargetUnavailable(McpTarget target, Exception exception)
    {
        var reason = exception is OperationCanceledException
            ? $"no answer within {options.Value.TargetTimeout.TotalSeconds:0.#} s"
            : exception.Message;
        return new McpGatewayException(JsonRpcErrorCodes.TargetUnavailable, $"Target '{target.Name}' is unavailable: {reason}", exception);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: target {Target} skipped in the listing: {Reason}")]
    private static partial void LogTargetListFailed(ILogger logger, string route, string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: name {Name} from target {Target} collides with an earlier target's and is hidden")]
    private static partial void LogNameCollision(ILogger logger, string route, string name, string target);
}
