namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record UpdateMcpServerRequest(
    string? Description, string? Transport, string? Url, Dictionary<string, string>? Headers,
    string? Command = null, List<string>? Args = null, Dictionary<string, string>? Env = null, string? WorkingDirectory = null);
