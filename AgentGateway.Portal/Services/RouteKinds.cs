namespace AgentGateway.Portal.Services;

/// <summary>What a route's backend is: the MCP servers it federates, HTTP destinations, an A2A agent, or LLM providers.</summary>
public static class RouteKinds
{
    public const string Mcp = "mcp";
    public const string Http = "http";
    public const string A2a = "a2a";
    public const string Llm = "llm";

    public static IReadOnlyList<string> All { get; } = [Mcp, Http, A2a, Llm];

    public static string Title(string? kind) => kind switch
    {
        Http => "HTTP",
        A2a => "A2A agent",
        Llm => "LLM",
        _ => "MCP",
    };
}
