using System.Text.RegularExpressions;

namespace AgentGateway.Contracts.Policies;

/// <summary>What a rate-limit bucket is kept per, as its <c>key</c> names it.</summary>
public enum RateLimitKeyKind
{
    Route,
    Tenant,
    ApiKey,
    ClientIp,
    Claim,
    Header,
}

/// <summary>
/// The syntax of rate-limit keys (<c>route</c>, <c>tenant</c>, <c>api-key</c>, <c>client-ip</c>, <c>claim:&lt;name&gt;</c>,
/// <c>header:&lt;name&gt;</c>) and of the placeholders in Envoy rate-limit descriptors (<c>%route%</c>, <c>%tenant%</c>,
/// <c>%api_key%</c>, <c>%client_ip%</c>, <c>%claim:&lt;name&gt;%</c>, <c>%header:&lt;name&gt;%</c>), shared by validation
/// and the proxy.
/// </summary>
public static partial class RateLimitKeys
{
    public const string FailureModeOpen = "open";
    public const string FailureModeClosed = "closed";

    /// <summary>Parses a bucket key; an empty key is <c>route</c>. <paramref name="name"/> is the claim or header name.</summary>
    public static bool TryParse(string? key, out RateLimitKeyKind kind, out string name)
    {
        name = string.Empty;
        switch (key)
        {
            case null or "" or "route":
                kind = RateLimitKeyKind.Route;
                return true;
            case "tenant":
                kind = RateLimitKeyKind.Tenant;
                return true;
            case "api-key":
                kind = RateLimitKeyKind.ApiKey;
                return true;
            case "client-ip":
                kind = RateLimitKeyKind.ClientIp;
                return true;
        }

        return TryParseNamed(key, ":", out kind, out name);
    }

    /// <summary>Parses the inside of a descriptor placeholder (between the <c>%</c>s).</summary>
    public static bool TryParsePlaceholder(string placeholder, out RateLimitKeyKind kind, out string name)
    {
        ArgumentNullException.ThrowIfNull(placeholder);
        name = string.Empty;
        switch (placeholder)
        {
            case "route":
                kind = RateLimitKeyKind.Route;
                return true;
            case "tenant":
                kind = RateLimitKeyKind.Tenant;
                return true;
            case "api_key":
                kind = RateLimitKeyKind.ApiKey;
                return true;
            case "client_ip":
                kind = RateLimitKeyKind.ClientIp;
                return true;
        }

        return TryParseNamed(placeholder, ":", out kind, out name);
    }

    /// <summary>
    /// Splits a descriptor value into literal text and placeholders: each part is (text, false) or (placeholder, true).
    /// Returns false, with the offending text, when a <c>%</c> is not closed.
    /// </summary>
    public static bool TrySplitTemplate(string template, out List<(string Text, bool IsPlaceholder)> parts, out string problem)
    {
        ArgumentNullException.ThrowIfNull(template);
        parts = [];
        problem = string.Empty;
        var position = 0;
        while (position < template.Length)
        {
            var start = template.IndexOf('%', position);
            if (start < 0)
            {
                parts.Add((template[position..], false));
                break;
            }

            if (start > position)
            {
                parts.Add((template[position..start], false));
            }

            var end = template.IndexOf('%', start + 1);
            if (end < 0)
            {
                problem = template[start..];
                return false;
            }

            parts.Add((template[(start + 1)..end], true));
            position = end + 1;
        }

        return true;
    }

    /// <summary>Whether a bucket name is usable in headers, errors and Redis keys.</summary>
    public static bool IsValidBucketName(string name) => BucketName().IsMatch(name);

    /// <summary>Whether a claim name is usable (a JWT claim name or dotted path).</summary>
    public static bool IsValidClaimName(string name) => ClaimName().IsMatch(name);

    internal static bool IsValidHeaderName(string name) => HeaderNameSyntax().IsMatch(name);

    private static bool TryParseNamed(string value, string separator, out RateLimitKeyKind kind, out string name)
    {
        kind = default;
        name = string.Empty;
        if (value.StartsWith("claim" + separator, StringComparison.Ordinal))
        {
            kind = RateLimitKeyKind.Claim;
            name = value[("claim" + separator).Length..];
            return IsValidClaimName(name);
        }

        if (value.StartsWith("header" + separator, StringComparison.Ordinal))
        {
            kind = RateLimitKeyKind.Header;
            name = value[("header" + separator).Length..];
            return IsValidHeaderName(name);
        }

        return false;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketName();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex ClaimName();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderNameSyntax();
}
