using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Snapshots;

namespace AgentGateway.Proxy.Pipeline.Authentication;

/// <summary>
/// RFC 9728 protected resource metadata of routes with MCP authentication, published at the path-inserted well-known
/// URL (<c>/.well-known/oauth-protected-resource{route path}</c>) that unauthenticated clients are pointed at.
/// </summary>
internal static class ProtectedResourceMetadata
{
    public const string WellKnownPrefix = "/.well-known/oauth-protected-resource";

    /// <summary>Serves the RFC 9728 metadata of a route with MCP authentication; false when <paramref name="routePath"/> names none.</summary>
    public static async Task<bool> TryServeAsync(HttpContext context, GatewaySnapshot snapshot, string routePath)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(routePath);
        if (snapshot.Table.McpRouteAt(routePath.Length == 0 ? "/" : routePath, context.Request.Host.Host) is not { } route
            || snapshot.PoliciesOf(route).McpAuthentication is not { } authentication)
        {
            return false;
        }

        // The metadata is public: browser-based clients read it from any origin.
        context.Response.Headers.AccessControlAllowOrigin = "*";
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            context.Response.Headers.AccessControlAllowMethods = "GET, OPTIONS";
            context.Response.Headers.AccessControlAllowHeaders = "MCP-Protocol-Version";
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return true;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD, OPTIONS";
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return true;
        }

        context.Response.Headers.CacheControl = "public, max-age=300";
        await WholeBody.WriteAsync(context, "application/json", Document(context.Request, route, authentication).ToJsonString());
        return true;
    }

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
