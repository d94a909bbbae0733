using System.Text.Json;

namespace AgentGateway.AdminApi.Domain.Mcp;

public sealed record RouteToolResponse(string Name, string Target, string? Title, string? Description, JsonElement InputSchema);
