namespace AgentGateway.Contracts.Routing;

/// <summary>
/// Host patterns of routes and host grants: an exact host name ("api.example.com") or one with a leading wildcard
/// label ("*.example.com", which takes "a.example.com" and "a.b.example.com", never "example.com" itself).
/// </summary>
public static class HostPatterns
{
    public static bool IsWildcard(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return pattern.StartsWith("*.", StringComparison.Ordinal);
    }

    /// <summary>Whether every host <paramref name="pattern"/> takes is one <paramref name="covering"/> takes.</summary>
    public static bool Covers(string covering, string pattern)
    {
        ArgumentNullException.ThrowIfNull(covering);
        ArgumentNullException.ThrowIfNull(pattern);
        return string.Equals(covering, pattern, StringComparison.OrdinalIgnoreCase)
            || (IsWildcard(covering) && pattern.Length > covering.Length - 1 && pattern.EndsWith(covering.AsSpan(1), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether some host is taken by both patterns.</summary>
    public static bool Overlap(string left, string right) => Covers(left, right) || Covers(right, left);

    /// <summary>Whether the request host <paramref name="host"/> (no port) is one <paramref name="pattern"/> takes.</summary>
    public static bool Matches(string pattern, ReadOnlySpan<char> host)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return IsWildcard(pattern)
            ? host.Length > pattern.Length - 1 && host.EndsWith(pattern.AsSpan(1), StringComparison.OrdinalIgnoreCase)
            : host.Equals(pattern, StringComparison.OrdinalIgnoreCase);
    }
}
