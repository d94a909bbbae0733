namespace AgentGateway.Proxy.Kinds.Mcp;

/// <summary>The protocol revisions the gateway speaks downstream, newest first.</summary>
internal static class McpProtocolVersions
{
    /// <summary>The newest revision with sessions (<c>initialize</c>, <c>Mcp-Session-Id</c>).</summary>
    public const string Latest = "2025-11-25";

    /// <summary>The stateless revision: no handshake, every request carries its version and capabilities in <c>_meta</c>.</summary>
    public const string Stateless = "2026-07-28";

    /// <summary>The revisions with sessions.</summary>
    public static IReadOnlyList<string> Supported { get; } = [Latest, "2025-06-18", "2025-03-26", "2024-11-05"];

    /// <summary>The stateless revisions.</summary>
    public static IReadOnlyList<string> SupportedStateless { get; } = [Stateless];

    /// <summary>The client's version when the gateway supports it, else the newest the gateway speaks (per the spec).</summary>
    public static string Negotiate(string? requested) =>
        requested is not null && Supported.Contains(requested, StringComparer.Ordinal) ? requested : Latest;

    public static bool IsSupported(string version) => Supported.Contains(version, StringComparer.Ordinal);

    public static bool IsStateless(string? version) => version is not null && SupportedStateless.Contains(version, StringComparer.Ordinal);
}
