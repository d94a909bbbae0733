namespace AgentGateway.AdminApi.Contracts;

public sealed record McpServerResponse(
    string Name,
    string? Description,
    string Transport,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version);

public sealed record CreateMcpServerRequest(string? Name, string? Description, string? Transport, string? Url, Dictionary<string, string>? Headers);

public sealed record UpdateMcpServerRequest(string? Description, string? Transport, string? Url, Dictionary<string, string>? Headers);
