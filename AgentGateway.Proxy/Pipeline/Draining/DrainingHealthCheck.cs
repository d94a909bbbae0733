using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentGateway.Proxy.Pipeline.Draining;

/// <summary>Readiness fails once the proxy drains, so load balancers stop sending it new connections.</summary>
internal sealed class DrainingHealthCheck(ProxyDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining ? HealthCheckResult.Unhealthy("The proxy is stopping.") : HealthCheckResult.Healthy());
}
