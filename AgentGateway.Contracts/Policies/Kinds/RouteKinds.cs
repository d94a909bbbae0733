using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies.Kinds;

/// <summary>What a route serves, by name: the names the REST API and the policy catalog use.</summary>
public static class RouteKinds
{
    /// <summary>Federates MCP servers.</summary>
    public const string Mcp = "mcp";

    /// <summary>Forwards plain HTTP to weighted destinations.</summary>
    public const string Http = "http";

    /// <summary>Exposes an A2A agent.</summary>
    public const string A2a = "a2a";

    /// <summary>One OpenAI- and Anthropic-compatible endpoint in front of LLM providers.</summary>
    public const string Llm = "llm";

    public static IReadOnlyList<string> All { get; } = [Http, Mcp, A2a, Llm];

    /// <summary>The kind of a route resource, or null when it names no backend.</summary>
    public static string? Of(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.BackendCase switch
        {
            Route.BackendOneofCase.Mcp => Mcp,
            Route.BackendOneofCase.Http => Http,
            Route.BackendOneofCase.A2A => A2a,
            Route.BackendOneofCase.Llm => Llm,
            _ => null,
        };
    }
}
