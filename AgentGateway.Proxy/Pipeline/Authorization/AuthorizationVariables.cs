using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Pipeline.Authorization;

/// <summary>
/// The variables of authorization rules that describe the caller and the HTTP request (<c>jwt</c>, <c>apiKey</c>,
/// <c>request</c>, <c>source</c>), built once per request; each check adds the operation (<c>mcp</c>).
/// </summary>
internal static class AuthorizationVariables
{
    /// <summary>The longest list a claim may hold for rules to read the caller's claims (a larger one hides them all).</summary>
    public const int MaxClaimListLength = 1_000;

    public static Dictionary<string, object?> ForRequest(HttpContext context, GatewayCaller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(caller);
        var request = context.Request;
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Headers)
        {
            if (!name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !name.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            {
                headers[name.ToLowerInvariant()] = values.ToString();
            }
        }

        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["jwt"] = Bounded(caller.Claims),
            ["apiKey"] = caller.ApiKeyVariable(),
            ["request"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["method"] = request.Method,
                ["path"] = request.Path.Value ?? string.Empty,
                ["host"] = request.Host.Host,
                ["headers"] = headers,
            },
            ["source"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["address"] = context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
            },
        };
    }

    /// <summary>
    /// The claims as rules see them: with a list longer than <see cref="MaxClaimListLength"/> (which rules would walk per
    /// request), none at all — every rule that reads a claim then fails, so the bound can only take access away.
    /// </summary>
    private static IReadOnlyDictionary<string, object?> Bounded(IReadOnlyDictionary<string, object?> claims)
    {
        foreach (var value in claims.Values)
        {
            if (value is System.Collections.ICollection { Count: > MaxClaimListLength })
            {
                LimitMetrics.Exceeded(LimitMetrics.AuthorizationInput);
                return new Dictionary<string, object?>(StringComparer.Ordinal);
            }
        }

        return claims;
    }

    /// <summary>The request's variables with the MCP operation added.</summary>
    public static Dictionary<string, object?> WithOperation(IReadOnlyDictionary<string, object?> request, string method, string? kind, string? name, string? target)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mcp = new Dictionary<string, object?>(StringComparer.Ordinal) { ["method"] = method };
        if (kind is not null)
        {
            mcp[kind] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                [kind == "resource" ? "uri" : "name"] = name ?? string.Empty,
                ["target"] = target ?? string.Empty,
            };
        }

        var variables = new Dictionary<string, object?>(request, StringComparer.Ordinal) { ["mcp"] = mcp };
        return variables;
    }
}
