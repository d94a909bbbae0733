using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Pipeline;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Makes an agent's card the gateway's: every interface URL points at the route (v0.3 <c>url</c> and
/// <c>additionalInterfaces</c>, v1.0 <c>supportedInterfaces</c>), the security schemes are those the route's policies
/// accept (<see cref="A2aSecuritySchemes"/>) instead of the agent's, and <c>signatures</c> are removed (the rewrite
/// invalidates them). Interfaces the gateway cannot carry (gRPC, or URLs outside the agent's base URL) are left out,
/// so that no client is sent around the gateway. The card comes in the shape of the protocol version the client asked
/// for (<see cref="ShapeFor"/>): a v0.3 agent's card in the v1.0 shape (its interfaces saying they speak 0.3), a v1.0
/// agent's in the v0.3 shape (its interfaces of 0.3, if it has any, first). Everything else passes through untouched.
/// </summary>
internal static class A2aCardRewriter
{
    /// <param name="card">The agent's card (changed in place: pass a copy).</param>
    /// <param name="agentBase">The agent's base URL (the route's <c>a2a.url</c>).</param>
    /// <param name="gatewayBase">The route's URL as the caller reached it, without a trailing '/'.</param>
    /// <param name="shape">The version whose shape the card is served in (<see cref="A2aVersions.V03"/>, <see cref="A2aVersions.V10"/>), or null for the agent's own.</param>
    public static JsonObject Rewrite(JsonObject card, Uri agentBase, string gatewayBase, RoutePolicyRuntime policies, string? shape = null)
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
        if (shape == A2aVersions.V03 && v10)
        {
            ToV03(card);
            v10 = false;
        }
        else if (shape == A2aVersions.V10 && !v10)
        {
            ToV10(card);
            v10 = true;
        }

        A2aSecuritySchemes.Apply(card, policies, v10);
        return card;
    }

    /// <summary>
    /// The card shape for the protocol version a client named (<c>A2A-Version</c>, <c>Major.Minor</c>): v0.3 for none or
    /// 0.3, as the protocol reads an empty version; v1.0 for 1.x; null (the agent's own shape) for any other.
    /// </summary>
    public static string? ShapeFor(string? version)
    {
        var named = version?.Trim() ?? string.Empty;
        return named.Length == 0 || named == "0.3" || named.StartsWith("0.3.", StringComparison.Ordinal) ? A2aVersions.V03
            : named == "1" || named.StartsWith("1.", StringComparison.Ordinal) ? A2aVersions.V10
            : null;
    }

    /// <summary>
    /// A v1.0 card in the v0.3 shape: <c>url</c> and <c>preferredTransport</c> from its first JSON-RPC interface (of
    /// those speaking 0.3 when it has any), the others in <c>additionalInterfaces</c>, <c>protocolVersion</c> what that
    /// interface speaks, the extended card's capability as <c>supportsAuthenticatedExtendedCard</c>.
    /// </summary>
    private static void ToV03(JsonObject card)
    {
        var interfaces = (card["supportedInterfaces"] as JsonArray ?? card["supported_interfaces"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(entry => (Url: String(entry["url"]), Binding: String(entry["protocolBinding"]) ?? String(entry["protocol_binding"]) ?? "JSONRPC",
                Version: String(entry["protocolVersion"]) ?? String(entry["protocol_version"]) ?? A2aVersions.V10))
            .Where(entry => entry.Url is not null)
            .ToList();
        var legacy = interfaces.Where(entry => ShapeFor(entry.Version) == A2aVersions.V03).ToList();
        var offered = legacy.Count > 0 ? legacy : interfaces;
        card.Remove("supportedInterfaces");
        card.Remove("supported_interfaces");
        if (offered.Count > 0)
        {
            var main = offered.FirstOrDefault(entry => entry.Binding == "JSONRPC", offered[0]);
            card["url"] = main.Url;
            card["preferredTransport"] = main.Binding;
            card["protocolVersion"] = MajorMinor(main.Version);
            card["additionalInterfaces"] = new JsonArray([.. offered.Select(entry => (JsonNode)new JsonObject { ["url"] = entry.Url, ["transport"] = entry.Binding })]);
        }

        if (card["capabilities"] is JsonObject capabilities && capabilities.Remove("extendedAgentCard", out var extended))
        {
            card["supportsAuthenticatedExtendedCard"] = extended?.DeepClone();
        }
    }

    /// <summary>
    /// A v0.3 card in the v1.0 shape: its <c>url</c> and <c>additionalInterfaces</c> as <c>supportedInterfaces</c> (the
    /// preferred first), each saying it speaks the card's <c>protocolVersion</c> (0.3), and
    /// <c>supportsAuthenticatedExtendedCard</c> as the <c>extendedAgentCard</c> capability.
    /// </summary>
    private static void ToV10(JsonObject card)
    {
        var version = MajorMinor(String(card["protocolVersion"]) ?? A2aVersions.V03);
        var interfaces = new List<(string Url, string Binding)>();
        if (String(card["url"]) is { } url)
        {
            interfaces.Add((url, String(card["preferredTransport"]) ?? "JSONRPC"));
        }

        foreach (var entry in (card["additionalInterfaces"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (String(entry["url"]) is { } other && String(entry["transport"]) is { } transport && !interfaces.Contains((other, transport)))
            {
                interfaces.Add((other, transport));
            }
        }

        card["supportedInterfaces"] = new JsonArray([.. interfaces.Select(entry => (JsonNode)new JsonObject
        {
            ["url"] = entry.Url,
            ["protocolBinding"] = entry.Binding,
            ["protocolVersion"] = version,
        })]);
        foreach (var legacy in (string[])["url", "preferredTransport", "additionalInterfaces", "protocolVersion"])
        {
            card.Remove(legacy);
        }

        if (card.Remove("supportsAuthenticatedExtendedCard", out var extended))
        {
            if (card["capabilities"] is not JsonObject capabilities)
            {
                capabilities = [];
                card["capabilities"] = capabilities;
            }

            capabilities["extendedAgentCard"] = extended?.DeepClone();
        }
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

    /// <summary>A version as the protocol compares them: <c>Major.Minor</c> (a patch number does not matter).</summary>
    private static string MajorMinor(string version) => version.Split('.') is [var major, var minor, ..] ? $"{major}.{minor}" : version;

    private static string? String(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
}
