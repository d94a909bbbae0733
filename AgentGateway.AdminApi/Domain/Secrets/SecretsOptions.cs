namespace AgentGateway.AdminApi.Domain.Secrets;

/// <summary>The keys tenant secrets are encrypted with (<c>Secrets</c> section).</summary>
internal sealed class SecretsOptions
{
    public const string SectionName = "Secrets";

    /// <summary>The master key new values are encrypted with: 32 random bytes, base64 (<c>openssl rand -base64 32</c>).</summary>
    public string? MasterKey { get; set; }

    /// <summary>Master keys used before a rotation: values they encrypted still decrypt, and are re-encrypted at startup.</summary>
    public List<string> PreviousMasterKeys { get; set; } = [];
}
