namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Transport">'streamable-http' (default), 'sse' (the legacy HTTP+SSE transport) or 'stdio' (a local process; platform admins only).</param>
/// <param name="Command">For stdio: the program to run.</param>
/// <param name="Args">For stdio: its arguments.</param>
/// <param name="Env">For stdio: environment variables (their values are never returned).</param>
/// <param name="WorkingDirectory">For stdio: the working directory.</param>
public sealed record CreateMcpServerRequest(
    string? Name, string? Description, string? Transport, string? Url, Dictionary<string, string>? Headers,
    string? Command = null, List<string>? Args = null, Dictionary<string, string>? Env = null, string? WorkingDirectory = null);
