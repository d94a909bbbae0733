using System.Diagnostics;
using AgentGateway.Contracts.Mcp;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.Authorization;
using AgentGateway.Proxy.Upstream.Resilience;

namespace AgentGateway.Proxy.Kinds.Mcp.Sessions;

/// <summary>One request's view of a downstream session: the route as configured now, the state sealed in the session
/// id, and this replica's local state.</summary>
internal sealed class McpSession(Route route, McpSessionState state, LocalSession local, TimeSpan targetTimeout)
{
    /// <summary>A request of the stateless revision: no session; version and capabilities travel in every request.</summary>
    public bool Stateless { get; init; }

    /// <summary>
    /// The client's <c>_meta</c> for stateless-revision requests (version, capabilities, client info): a stateless
    /// client's own, or for a session client one made from its initialize, for targets that speak only the stateless revision.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? ClientMeta
    {
        get => _clientMeta ??= Stateless ? null : new System.Text.Json.Nodes.JsonObject
        {
            [McpMethods.ProtocolVersionKey] = McpProtocolVersions.Stateless,
            [McpMethods.ClientCapabilitiesKey] = State.ClientCapabilities?.DeepClone() ?? new System.Text.Json.Nodes.JsonObject(),
            ["io.modelcontextprotocol/clientInfo"] = State.ClientInfo?.DeepClone(),
        };
        init => _clientMeta = value;
    }

    private System.Text.Json.Nodes.JsonObject? _clientMeta;

    /// <summary>For stateless requests: the client's <c>Mcp-Param-*</c> headers, passed on unchanged.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ParamHeaders { get; init; } = [];

    public Route Route { get; } = route;

    /// <summary>Who sent this request, as the route's authentication established it.</summary>
    public GatewayCaller Caller { get; init; } = GatewayCaller.Anonymous;

    /// <summary>The route's compiled policies in the config the request is served with.</summary>
    public required RoutePolicyRuntime Policies { get; init; }

    /// <summary>The caller and request variables of authorization rules (see <see cref="AuthorizationVariables"/>).</summary>
    public IReadOnlyDictionary<string, object?> RequestVariables { get; init; } = s_noVariables;

    private static readonly Dictionary<string, object?> s_noVariables = new(StringComparer.Ordinal);

    public McpBackend Backend => Route.Mcp;

    public McpSessionState State { get; } = state;

    public LocalSession Local { get; } = local;

    /// <summary><c>{tenant}/{route}</c>.</summary>
    public string RouteKey => State.Route;

    /// <summary>Whether names and URIs carry their target's prefix on this route.</summary>
    public bool Prefixed { get; } = FederatedNames.UsesPrefix(route.Mcp.PrefixMode, route.Mcp.Targets.Count);

    /// <summary>How long one target may take for one request.</summary>
    public TimeSpan TargetTimeout { get; } = targetTimeout;

    /// <summary>
    /// When the client's request must be answered by, as a <see cref="Stopwatch"/> timestamp (a POST on a route with
    /// <c>timeouts.requestMs</c>); null for no bound beyond each target's timeout.
    /// </summary>
    public long? Deadline { get; init; }

    /// <summary>The route's retry policy for the messages sent to targets, or null.</summary>
    public RetryRuntime? Retry => Policies.Traffic.Retry;

    /// <summary>How long the next exchange with a target may take: its timeout, or what is left of the request's time if less.</summary>
    public TimeSpan TargetBudget()
    {
        if (Deadline is not { } deadline)
        {
            return TargetTimeout;
        }

        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        return left < TargetTimeout ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : TargetTimeout;
    }

    public McpTarget? FindTarget(string name)
    {
        foreach (var target in Backend.Targets)
        {
            if (target.Name == name)
            {
                return target;
            }
        }

        return null;
    }
}
