using System.Text.Json.Nodes;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Authorization;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Governance;

/// <summary>
/// What a caller may see and do on an MCP route: the route's authorization rules decide each tool, prompt and
/// resource (a list shows what the caller could use; a call of anything else is refused), the tool pins withhold or
/// flag tools whose definitions changed or look poisoned, and MCP authentication's operation scopes ask for step-up.
/// </summary>
internal sealed partial class McpAccessGuard(ToolPinRegistry pins, GatewayMetrics metrics, ILogger<McpAccessGuard> logger)
{
    public const string PinningMetaKey = "io.agentgateway/pinning";

    /// <summary>
    /// Whether a listed item is shown to the caller, given as it came from the target (<paramref name="upstream"/>)
    /// and as the client will see it (<paramref name="copy"/>, which may be marked).
    /// </summary>
    public bool Admit(McpSession session, string listMethod, McpTarget target, string key, JsonObject upstream, JsonObject copy)
    {
        var (method, kind) = Operation(listMethod);
        if (!IsAuthorized(session, method, kind, key, target.Name))
        {
            return false;
        }

        if (kind != "tool" || PinningMode(session) == PolicyValidator.PinningOff)
        {
            return true;
        }

        var status = pins.Observe(session.Route, target, key, upstream, out var findings);
        if (status == ToolPinStatus.Trusted)
        {
            return true;
        }

        LogUntrustedTool(logger, session.RouteKey, target.Name, key, status.ToString());
        if (PinningMode(session) == PolicyValidator.PinningWithhold)
        {
            return false;
        }

        var meta = copy["_meta"] as JsonObject ?? new JsonObject();
        meta[PinningMetaKey] = new JsonObject
        {
            ["status"] = status == ToolPinStatus.Changed ? "changed" : "suspicious",
            ["findings"] = new JsonArray([.. findings.Select(finding => (JsonNode)finding)]),
        };
        copy["_meta"] = meta;
        return true;
    }

    /// <summary>
    /// Refuses (with a JSON-RPC error, or step-up) a call, get or read the caller may not make. <paramref name="observe"/>
    /// lists the target's tools when this replica has not seen the tool yet, so its pin can be judged.
    /// </summary>
    public async Task CheckAsync(McpSession session, string method, McpTarget target, string name, Func<CancellationToken, Task> observe, CancellationToken cancellationToken)
    {
        var kind = method switch
        {
            RequestMethods.ToolsCall => "tool",
            RequestMethods.PromptsGet => "prompt",
            _ => "resource",
        };
        if (!IsAuthorized(session, method, kind, name, target.Name))
        {
            LogDenied(logger, session.RouteKey, method, name, target.Name);
            metrics.Refused(session.RouteKey, RouteKinds.Mcp, "mcp_authorization");
            throw new McpGatewayException(JsonRpcErrorCodes.Forbidden,
                $"Forbidden: this route's authorization rules do not allow {method} of the {kind} '{name}' (target '{target.Name}').");
        }

        var variables = session.Policies.OperationScopes.Count == 0
            ? null
            : AuthorizationVariables.WithOperation(session.RequestVariables, method, kind, name, target.Name);
        foreach (var requirement in session.Policies.OperationScopes)
        {
            var missing = requirement.Scopes.Where(scope => !session.Caller.Scopes.Contains(scope)).ToList();
            if (missing.Count > 0 && CelExpressions.IsTrue(requirement.Match, variables!))
            {
                throw new McpStepUpException(requirement.Scopes,
                    $"The {kind} '{name}' needs the scope(s) {string.Join(' ', missing)}; obtain a token with them and retry.");
            }
        }

        if (kind != "tool" || PinningMode(session) != PolicyValidator.PinningWithhold)
        {
            return;
        }

        var status = pins.StatusOf(session.Route, target, name);
        if (status is null)
        {
            await observe(cancellationToken);
            status = pins.StatusOf(session.Route, target, name);
        }

        if (status is ToolPinStatus.Changed or ToolPinStatus.Suspicious)
        {
            throw new McpGatewayException(JsonRpcErrorCodes.Forbidden, status == ToolPinStatus.Changed
                ? $"The tool '{name}' of target '{target.Name}' is withheld: its definition changed upstream and awaits a tenant admin's approval."
                : $"The tool '{name}' of target '{target.Name}' is withheld: its definition looks like it carries hidden instructions and awaits a tenant admin's approval.");
        }
    }

    private static bool IsAuthorized(McpSession session, string method, string kind, string name, string target)
    {
        if (session.Policies.AuthorizationRules is not { } rules)
        {
            return true;
        }

        return RoutePolicyRuntime.AnyHolds(rules, AuthorizationVariables.WithOperation(session.RequestVariables, method, kind, name, target));
    }

    private static string PinningMode(McpSession session) =>
        session.Backend.ToolPinning is { Mode.Length: > 0 } pinning ? pinning.Mode : PolicyValidator.PinningWithhold;

    /// <summary>The operation a listed item stands for: showing it means the caller may do this with it.</summary>
    private static (string Method, string Kind) Operation(string listMethod) => listMethod switch
    {
        RequestMethods.ToolsList => (RequestMethods.ToolsCall, "tool"),
        RequestMethods.PromptsList => (RequestMethods.PromptsGet, "prompt"),
        _ => (RequestMethods.ResourcesRead, "resource"),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: {Method} of {Name} (target {Target}) denied by the authorization rules")]
    private static partial void LogDenied(ILogger logger, string route, string method, string name, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: tool {Tool} of target {Target} is not trusted ({Status})")]
    private static partial void LogUntrustedTool(ILogger logger, string route, string target, string tool, string status);
}
