namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>An MCP server federated by a route, in the route's order.</summary>
internal sealed class RouteTarget
{
    public Guid RouteId { get; set; }

    public Guid McpServerId { get; set; }

    public int Position { get; set; }

    public GatewayRoute? Route { get; set; }

    public McpServer? McpServer { get; set; }
}
