using System.Globalization;
using AgentGateway.Contracts.Policies;
using AgentGateway.Proxy.Pipeline.Authentication;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// The value a bucket is kept per, or a descriptor placeholder stands for, read from the request and its caller.
/// Missing data (no API key, no such claim or header) is the empty string: such requests share one bucket.
/// </summary>
internal static class RateLimitKeyResolver
{
    public static string Resolve(RateLimitKeyKind kind, string name, HttpContext context, RateLimitPlan plan, GatewayCaller caller) => kind switch
    {
        RateLimitKeyKind.Route => plan.RouteName,
        RateLimitKeyKind.Tenant => plan.Tenant,
        RateLimitKeyKind.ApiKey => caller.ApiKey?.Id ?? string.Empty,
        RateLimitKeyKind.ClientIp => context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
        RateLimitKeyKind.Claim => Claim(caller.Claims, name),
        RateLimitKeyKind.Header => context.Request.Headers.TryGetValue(name, out var values) ? values.ToString() : string.Empty,
        _ => string.Empty,
    };

    private static string Claim(IReadOnlyDictionary<string, object?> claims, string name)
    {
        if (claims.TryGetValue(name, out var value))
        {
            return Text(value);
        }

        // A dotted name reaches into object claims: "org.id".
        if (!name.Contains('.', StringComparison.Ordinal))
        {
            return string.Empty;
        }

        object? current = claims;
        foreach (var segment in name.Split('.'))
        {
            if (current is not IReadOnlyDictionary<string, object?> map || !map.TryGetValue(segment, out current))
            {
                return string.Empty;
            }
        }

        return Text(current);
    }

    private static string Text(object? value) => value switch
    {
        string text => text,
        bool flag => flag ? "true" : "false",
        long number => number.ToString(CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        _ => string.Empty,
    };
}
