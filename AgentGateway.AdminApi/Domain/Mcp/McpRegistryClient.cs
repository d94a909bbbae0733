using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Domain.Mcp;

/// <summary>The MCP registries the platform trusts to import servers from (<c>McpRegistry</c> section).</summary>
internal sealed class McpRegistryOptions
{
    public const string SectionName = "McpRegistry";

    /// <summary>Their base URLs, the default first; the official registry unless configured.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>The official MCP registry, when none is configured.</summary>
    public const string Official = "https://registry.modelcontextprotocol.io";

    public IReadOnlyList<string> Effective => Urls.Count == 0 ? [Official] : [.. Urls.Select(url => url.TrimEnd('/'))];
}

/// <summary>
/// Fetches a server's description from a trusted MCP registry (<see cref="McpRegistryOptions"/>): the registry API's
/// <c>GET /v0/servers/{name}/versions/{version}</c>, whose answer holds it under <c>server</c>. Only the platform's
/// registries are asked, so a tenant cannot make the control plane fetch an address of its choosing.
/// </summary>
internal sealed class McpRegistryClient(IHttpClientFactory clients, IOptions<McpRegistryOptions> options)
{
    public const string HttpClientName = "mcp-registry";

    /// <summary>The description, or why there is none: the field at fault and the message, or the status to answer.</summary>
    public async Task<RegistryAnswer> GetAsync(string? registry, string name, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trusted = options.Value.Effective;
        var baseUrl = registry?.TrimEnd('/') ?? trusted[0];
        if (!trusted.Contains(baseUrl, StringComparer.OrdinalIgnoreCase))
        {
            return RegistryAnswer.Invalid("registry", $"must be one of the registries the platform trusts: {string.Join(", ", trusted)}.");
        }

        var client = clients.CreateClient(HttpClientName);
        var uri = new Uri($"{baseUrl}/v0/servers/{Uri.EscapeDataString(name)}/versions/{Uri.EscapeDataString(version ?? "latest")}");
        try
        {
            using var response = await client.GetAsync(uri, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return RegistryAnswer.Missing($"The registry {baseUrl} has no server '{name}'{(version is null ? string.Empty : $" of version '{version}'")}.");
            }

            if (!response.IsSuccessStatusCode)
            {
                return RegistryAnswer.Unavailable($"The registry {baseUrl} answered {(int)response.StatusCode}.");
            }

            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("server", out var server)
                ? new RegistryAnswer(server.Clone(), null, null, 0)
                : RegistryAnswer.Unavailable($"The registry {baseUrl} answered without a server description.");
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return RegistryAnswer.Unavailable($"The registry {baseUrl} could not be read: {exception.Message}");
        }
    }
}

/// <summary>A registry's answer: the server's description, or the request field at fault, or the status to answer and why.</summary>
internal sealed record RegistryAnswer(JsonElement? Server, string? Field, string? Message, int Status)
{
    public static RegistryAnswer Invalid(string field, string message) => new(null, field, message, StatusCodes.Status400BadRequest);

    public static RegistryAnswer Missing(string message) => new(null, null, message, StatusCodes.Status404NotFound);

    public static RegistryAnswer Unavailable(string message) => new(null, null, message, StatusCodes.Status502BadGateway);
}
