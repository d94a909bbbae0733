namespace AgentGateway.Proxy.Policies;

/// <summary>Tuning of the request policies (<c>Policies</c> section).</summary>
internal sealed class PolicyOptions
{
    public const string SectionName = "Policies";

    /// <summary>
    /// The least time between two fetches of an issuer's keys prompted by tokens naming a key the gateway does not know:
    /// rotated keys are picked up at once, and a flood of forged key ids cannot hammer the issuer.
    /// </summary>
    public TimeSpan JwksMinRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);
}
