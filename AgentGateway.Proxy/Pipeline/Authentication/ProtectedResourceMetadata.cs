using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Pipeline.Authentication;

/// <summary>
/// RFC 9728 protected resource metadata of routes with MCP authentication, published at the path-inserted well-known
/// URL (<c>/.well-known/oauth-protected-resource{route path}</c>) that unauthenticated clients are pointed at.
/// </summary>
internal static class ProtectedResourceMetadata
{
    public const string WellKnownPrefix = "/.well-known/oauth-protected-resource";

    /// <summary>The route's canonical URI: the configured resource, else the URL it was reached at.</summary>
    public static string Resource(HttpRequest request, Route route, McpAuthentication authentication)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(authentication);
        return authentication.Resource.Length > 0
            ? authentication.Resource
            : $"{request.Scheme}://{request.Host.Value}{request.PathBase}{route.Match.Path}";
    }

    /// <summary>Where the route's metadata is published, as the challenge names it.</summary>
    public static string MetadataUrl(HttpRequest request, Route route)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(route);
        return $"{request.Scheme}://{request.Host.Value}{request.PathBase}{WellKnownPrefix}{route.Match.Path}";
    }

    public static JsonObject Document(HttpRequest request, Route route, McpAuthentication authentication)
    {
        var document = new JsonObject
        {
            ["resource"] = Resource(request, route, authentication),
            ["authorization_servers"] = new JsonArray([.. authentication.AuthorizationServers.Select(server => (JsonNode)server.Issuer)]),
            ["bearer_methods_supported"] = new JsonArray("header"),
        };
        if (authentication.ScopesSupported.Count > 0)
        {
            document["scopes_supported"] = new JsonArray([.. authentication.ScopesSupported.Select(scope => (JsonNode)scope)]);
        }

        if (authentication.ResourceName.Length > 0)
        {
            document["resource_name"] = authentication.ResourceName;
        }

        if (authentication.ResourceDocumentation.Length > 0)
        {
            document["resource_documentation"] = authentication.ResourceDocumentation;
        }

        return document;
    }

    /// <summary>The <c>WWW-Authenticate</c> challenge of a route with MCP authentication.</summary>
    public static string Challenge(HttpRequest request, Route route, McpAuthentication authentication, string? error = null, string? description = null, IEnumerable<string>? scopes = null)
    {
        var parts = new List<string>();
        if (error is not null)
        {
            parts.Add($"error=\"{error}\"");
        }

        if (description is not null)
        {
            parts.Add($"error_description=\"{Quote(description)}\"");
        }

        var scope = string.Join(' ', scopes ?? authentication.ScopesSupported);
        if (scope.Length > 0)
        {
            parts.Add($"scope=\"{scope}\"");
        }

        parts.Add($"resource_metadata=\"{MetadataUrl(request, route)}\"");
        return "Bearer " + string.Join(", ", parts);
    }

    /// <summary>Keeps a value inside a quoted-string of a challenge.</summary>
    public static string Quote(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal);
}
