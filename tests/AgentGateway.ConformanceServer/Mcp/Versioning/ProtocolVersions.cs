namespace AgentGateway.ConformanceServer.Mcp.Versioning;

/// <summary>The MCP revisions the fixture serves, as the SDK (ModelContextProtocol 2.4.0) accepts them.</summary>
internal static class ProtocolVersions
{
    /// <summary>Revisions a client reaches through the <c>initialize</c> handshake and a session.</summary>
    public static readonly IReadOnlyList<string> InitializeHandshake = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

    /// <summary>Revisions served statelessly, with per-request <c>_meta</c> (SEP-2575); what <c>server/discover</c> lists.</summary>
    public static readonly IReadOnlyList<string> PerRequestMetadata = ["2026-07-28"];

    public static bool IsSupported(string version) => InitializeHandshake.Contains(version) || PerRequestMetadata.Contains(version);
}
