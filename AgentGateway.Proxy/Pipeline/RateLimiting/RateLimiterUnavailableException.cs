namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>Redis or the rate-limit service could not decide in time; the policy's failure mode answers instead.</summary>
internal sealed class RateLimiterUnavailableException : Exception
{
    public RateLimiterUnavailableException(string message)
        : base(message)
    {
    }

    public RateLimiterUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RateLimiterUnavailableException()
    {
    }
}
