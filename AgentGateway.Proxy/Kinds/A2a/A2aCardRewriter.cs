using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Pipeline;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Makes an agent's card the gateway's: every interface URL points at the route (v0.3 <c>url</c> and
/// <c>additionalInterfaces</c>, v1.0 <c>supportedInterfaces</c>), the security schemes are those the route's policies
/// accept (<see cref="A2aSecuritySchemes"/>) instead of the agent's, and <c>signatures</c> are removed (the rewrite
/// invalidates them). Interfaces the gateway cannot carry (gRPC, or URLs outside the agent's base URL) are left out,
/// so that no client is sent around the gateway. Everything else passes through untouched.
/// </summary>
internal static class A2aCardRewriter
{
    /// <param name="card">The agent's card (changed in place: pass a copy).</param>
    /// <param name="agentBase">The agent's base URL (the route's <c>a2a.url</c>).</param>
    /// <param name="gatewayBase">The route's URL as the caller reached it, without a trailing '/'.</param>
    public static JsonObject Rewrite(JsonObject card, Uri agentBase, string gatewayBase, RoutePolicyRuntime policies)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(agentBase);
        ArgumentNullException.ThrowIfNull(policies);
        var v10 = card.ContainsKey("supportedInterfaces") || card.ContainsKey("supported_interfaces");
        if (card.ContainsKey("url"))
        {
            card["url"] = Map(String(card["url"]), agentBase, gatewayBase) ?? gatewayBase;
        }

        RewriteInterfaces(card["additionalInterfaces"] as JsonArray, "transport", agentBase, gatewayBase);
        RewriteInterfaces(card["supportedInterfaces"] as JsonArray ?? card["supported_interfaces"] as JsonArray, "protocolBinding", agentBase, gatewayBase);
        card.Remove("signatures");
        A2aSecuritySchemes.Apply(card, policies, v10);
        return card;
    }

    private static void RewriteInterfaces(JsonArray? interfaces, string bindingProperty, Uri agentBase, string gatewayBase)
    {
        if (interfaces is null)
        {
            return;
        }

        for (var index = interfaces.Count - 1; index >= 0; index--)
        {
            if (interfaces[index] is not JsonObject entry)
            {
                continue;
            }

            var binding = String(entry[bindingProperty]) ?? String(entry["protocol_binding"]);
            var mapped = string.Equals(binding, "GRPC", StringComparison.OrdinalIgnoreCase) ? null : Map(String(entry["url"]), agentBase, gatewayBase);
            if (mapped is null)
            {
                interfaces.RemoveAt(index);
            }
            else
            {
                entry["url"] = mapped;
            }
        }
    }

    /// <summary>
    /// The gateway URL of an agent URL: the route's URL plus the URL's path relative to the agent's base URL, or null
    /// when the URL is not below the agent's base URL.
    /// </summary>
    internal static string? Map(string? url, Uri agentBase, string gatewayBase)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Scheme, agentBase.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.IdnHost, agentBase.IdnHost, StringComparison.OrdinalIgnoreCase)
            || uri.Port != agentBase.Port)
        {
            return null;
        }

        var basePath = agentBase.AbsolutePath.TrimEnd('/');
        var path = uri.AbsolutePath;
        if (!path.StartsWith(basePath, StringComparison.Ordinal) || path.Length > basePath.Length && path[basePath.Length] != '/')
        {
            return null;
        }

        var relative = path[basePath.Length..];
        return gatewayBase + (relative == "/" ? string.Empty : relative) + uri.Query;
    }

    private static string? String(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
}
