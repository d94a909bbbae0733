namespace AgentGateway.Proxy.Pipeline.Draining;

/// <summary>
/// How the proxy leaves when told to stop (SIGTERM, a rolling restart): <c>Shutdown</c> in configuration.
/// </summary>
internal sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long the proxy goes on serving after the signal while reporting not-ready on <c>/readyz</c>, so the load
    /// balancer takes it out of rotation before it stops accepting connections (Kubernetes removes an endpoint a few
    /// seconds after the pod is told to stop). Connections are asked to close after their current request meanwhile.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long requests in flight when the listener closes may take to finish before their connections are cut.
    /// Kubernetes' termination grace period should exceed <see cref="DrainDelay"/> plus this.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The reconnection delay a server-sent event stream ended by the drain tells its client (the SSE <c>retry</c> field).</summary>
    public TimeSpan ReconnectHint { get; set; } = TimeSpan.FromSeconds(1);
}
