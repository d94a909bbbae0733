namespace AgentGateway.Proxy.Pipeline;

/// <summary>Tuning of the request policies (<c>Policies</c> section).</summary>
internal sealed class PolicyOptions
{
    public const string SectionName = "Policies";

    /// <summary>
    /// The least time between two fetches of an issuer's keys prompted by tokens naming a key the gateway does not know:
    /// rotated keys are picked up at once, and a flood of forged key ids cannot hammer the issuer.
    /// </summary>
    public TimeSpan JwksMinRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many verified tokens are remembered, so that a client sending the same token again is not verified again
    /// (an RSA signature check is most of a JWT route's cost). 0 turns the cache off.
    /// </summary>
    public int JwtCacheSize { get; set; } = 10_000;

    /// <summary>The longest a verified token is remembered; never past its own expiry.</summary>
    public TimeSpan JwtCacheTime { get; set; } = TimeSpan.FromMinutes(5);
}
