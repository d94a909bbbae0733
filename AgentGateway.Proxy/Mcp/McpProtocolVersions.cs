namespace AgentGateway.Proxy.Mcp;

/// <summary>The protocol revisions the gateway speaks downstream, newest first.</summary>
internal static class McpProtocolVersions
{
    public const string Latest = "2025-11-25";

    public static IReadOnlyList<string> Supported { get; } = [Latest, "2025-06-18", "2025-03-26", "2024-11-05"];

    /// <summary>The client's version when the gateway supports it, else the newest the gateway speaks (per the spec).</summary>
    public static string Negotiate(string? requested) =>
        requested is not null && Supported.Contains(requested, StringComparer.Ordinal) ? requested : Latest;

    public static bool IsSupported(string version) => Supported.Contains(version, StringComparer.Ordinal);
}
