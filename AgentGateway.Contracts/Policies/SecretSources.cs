namespace AgentGateway.Contracts.Policies;

/// <summary>Where a <see cref="V1.SecretValue"/> may take its value from, which depends on who wrote the config.</summary>
[Flags]
public enum SecretSources
{
    None = 0,

    /// <summary>The value itself: what proxies run with, and what a standalone file may hold.</summary>
    Inline = 1,

    /// <summary>A tenant secret: the only source the control plane stores.</summary>
    SecretRef = 2,

    /// <summary>An environment variable of the proxy (standalone files).</summary>
    Environment = 4,

    /// <summary>A file on the proxy (standalone files).</summary>
    File = 8,

    /// <summary>What a standalone file may use.</summary>
    StandaloneFile = Inline | Environment | File,
}
