namespace AgentGateway.ConformanceServer.Security;

/// <summary>Which host names the server answers to; everything else is treated as a DNS rebinding attempt.</summary>
internal sealed class LocalhostOnlyOptions
{
    public const string SectionName = "LocalhostOnly";

    /// <summary>Host names (without port) accepted in the <c>Host</c> and <c>Origin</c> headers.</summary>
    public List<string> AllowedHosts { get; set; } = ["localhost", "127.0.0.1", "[::1]", "::1"];
}
