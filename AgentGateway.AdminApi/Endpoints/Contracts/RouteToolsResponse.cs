using AgentGateway.AdminApi.Domain.Mcp;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record RouteToolsResponse(string Route, string Endpoint, IReadOnlyList<RouteToolResponse> Tools, IReadOnlyList<TargetErrorResponse> Errors);
