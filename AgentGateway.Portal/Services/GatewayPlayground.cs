using AgentGateway.Contracts.Mcp;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Portal.Services;

/// <summary>What a route offers, as its clients see it through the gateway.</summary>
public sealed record RouteCatalog(
    IReadOnlyList<CatalogEntry> Tools, IReadOnlyList<CatalogEntry> Prompts, IReadOnlyList<CatalogEntry> Resources);

/// <summary>One tool, prompt or resource (by URI) of a route, with the target it comes from.</summary>
public sealed record CatalogEntry(string Name, string Target, string? Description, string? InputSchema);

/// <summary>
/// The Portal as an MCP client of a route's endpoint on the proxy, with a token of the signed-in user minted for the
/// gateway (<see cref="GatewayTokenProvider"/>): lists what the route federates and calls tools from the browser's
/// playground. Everything goes through the gateway, so what the developer sees is what their agents get.
/// </summary>
internal sealed class GatewayPlayground(IHttpClientFactory httpClientFactory, GatewayTokenProvider tokens, ILoggerFactory loggerFactory)
{
    public const string HttpClientName = "gateway-playground";

    private static readonly JsonSerializerOptions s_indented = new(McpJsonUtilities.DefaultOptions) { WriteIndented = true };

    public async Task<RouteCatalog> ListAsync(RouteInfo route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        await using var client = await ConnectAsync(route, cancellationToken);
        var capabilities = client.ServerCapabilities;
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        var prompts = capabilities.Prompts is null ? [] : await client.ListPromptsAsync(cancellationToken: cancellationToken);
        var resources = capabilities.Resources is null ? [] : await client.ListResourcesAsync(cancellationToken: cancellationToken);
        return new RouteCatalog(
            [.. tools.Select(tool => new CatalogEntry(tool.Name, TargetOf(route, tool.Name, '_'), tool.Description, tool.JsonSchema.GetRawText()))],
            [.. prompts.Select(prompt => new CatalogEntry(prompt.Name, TargetOf(route, prompt.Name, '_'), prompt.Description, null))],
            [.. resources.Select(resource => new CatalogEntry(resource.Uri, TargetOf(route, resource.Uri, FederatedNames.UriSeparator), resource.Description ?? resource.Name, null))]);
    }

    /// <summary>Calls <paramref name="tool"/> with <paramref name="argumentsJson"/> (a JSON object); returns the result as indented JSON.</summary>
    public async Task<string> CallToolAsync(RouteInfo route, string tool, string argumentsJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        Dictionary<string, object?>? arguments;
        try
        {
            arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson, McpJsonUtilities.DefaultOptions);
        }
        catch (JsonException exception)
        {
            throw new PlaygroundException($"The arguments are not a JSON object: {exception.Message}");
        }

        await using var client = await ConnectAsync(route, cancellationToken);
        try
        {
            var result = await client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
            return JsonSerializer.Serialize(result, s_indented);
        }
        catch (McpProtocolException exception)
        {
            throw new PlaygroundException($"The gateway answered with error {(int)exception.ErrorCode}: {exception.Message}");
        }
    }

    private async Task<McpClient> ConnectAsync(RouteInfo route, CancellationToken cancellationToken)
    {
        var endpoint = route.Endpoint ?? throw new PlaygroundException($"Route {route.Name} has no single endpoint to call.");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var (token, problem) = await tokens.GetAsync(cancellationToken);
        if (token is not null)
        {
            headers["Authorization"] = "Bearer " + token;
        }

        try
        {
            return await McpClient.CreateAsync(
                new HttpClientTransport(
                    new HttpClientTransportOptions { Endpoint = new Uri(endpoint), TransportMode = HttpTransportMode.StreamableHttp, AdditionalHeaders = headers },
                    httpClientFactory.CreateClient(HttpClientName),
                    loggerFactory,
                    ownsHttpClient: true),
                new McpClientOptions { ClientInfo = new Implementation { Name = "agentgateway-portal", Version = "1.0.0" } },
                loggerFactory,
                cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or McpException or TimeoutException)
        {
            // Without a gateway token the call went without credentials; a route that needs them says so, and this is why.
            var unauthenticated = problem is null ? string.Empty : $" (the call carried no token: {problem})";
            throw new PlaygroundException($"The gateway at {route.Endpoint} could not be reached: {exception.Message}{unauthenticated}");
        }
    }

    /// <summary>
    /// The target a federated name comes from: names carry a <c>{target}_</c> (URIs a <c>{target}+</c>) prefix when
    /// the route prefixes; otherwise a single target owns everything.
    /// </summary>
    private static string TargetOf(RouteInfo route, string name, char separator)
    {
        var prefixed = route.PrefixMode == "always" || (route.PrefixMode == "conditional" && route.Targets.Count > 1);
        if (!prefixed)
        {
            return route.Targets.Count == 1 ? route.Targets[0] : "—";
        }

        var target = separator == FederatedNames.UriSeparator
            ? FederatedNames.TrySplitUri(name, out var uriTarget, out _) ? uriTarget : null
            : name.IndexOf(separator, StringComparison.Ordinal) is > 0 and var index ? name[..index] : null;
        return target is not null && route.Targets.Contains(target) ? target : "—";
    }
}

/// <summary>The playground could not do what was asked; the message says why, for the page.</summary>
public sealed class PlaygroundException(string message) : Exception(message);
