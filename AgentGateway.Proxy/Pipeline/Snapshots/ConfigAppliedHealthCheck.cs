using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentGateway.Proxy.Pipeline.Snapshots;

/// <summary>Ready once a config has been applied; before that the proxy would answer every route with 404.</summary>
internal sealed class ConfigAppliedHealthCheck(SnapshotStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(store.Current is { } snapshot
            ? HealthCheckResult.Healthy($"config version {snapshot.Version}")
            : HealthCheckResult.Unhealthy("no config has been applied yet"));
}
