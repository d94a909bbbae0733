namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record McpServerResponse(
    string Name,
    string? Description,
    string Transport,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    string? Command,
    IReadOnlyList<string> Args,
    IReadOnlyList<string> EnvNames,
    string? WorkingDirectory,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version) : IVersionedResponse;
