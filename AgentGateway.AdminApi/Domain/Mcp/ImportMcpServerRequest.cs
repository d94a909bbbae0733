using System.Text.Json;

namespace AgentGateway.AdminApi.Domain.Mcp;

/// <summary>An MCP server to register from its description in the MCP registry format (<c>server.json</c>).</summary>
/// <param name="Name">The name the tenant gives it; by default the last segment of its registry name.</param>
/// <param name="Server">The description itself (name, description, version, remotes, packages).</param>
/// <param name="RegistryName">Else its name in a registry the platform trusts (<c>McpRegistry:Urls</c>), e.g. <c>io.github.owner/server</c>.</param>
/// <param name="Registry">Which of those registries (its URL); by default the first.</param>
/// <param name="Version">The version to take from the registry; by default the latest.</param>
/// <param name="Variables">Values of the remote URL's <c>{variables}</c>.</param>
/// <param name="Headers">Values of the remote's headers, by name.</param>
/// <param name="Env">Values of a package's environment variables, by name.</param>
public sealed record ImportMcpServerRequest(
    string? Name = null,
    JsonElement? Server = null,
    string? RegistryName = null,
    string? Registry = null,
    string? Version = null,
    Dictionary<string, string>? Variables = null,
    Dictionary<string, string>? Headers = null,
    Dictionary<string, string>? Env = null);

/// <summary>The server an import registers, as the MCP servers API takes it.</summary>
internal sealed record ImportedServer(
    string Name, string? Description, string Transport, string? Url, Dictionary<string, string>? Headers,
    string? Command = null, List<string>? Args = null, Dictionary<string, string>? Env = null);
