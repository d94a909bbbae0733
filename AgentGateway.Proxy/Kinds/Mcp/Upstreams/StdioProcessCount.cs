using System.Collections.Concurrent;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Kinds.Mcp.Upstreams;

/// <summary>
/// How many stdio processes each route and tenant runs on this replica. A process takes its place before it starts
/// and gives it back when its connection closes; past a bound, no new process starts and the call fails in the
/// target's name.
/// </summary>
internal sealed class StdioProcessCount
{
    private readonly ConcurrentDictionary<string, int> _perRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _perTenant = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int OfRoute(string route) => _perRoute.GetValueOrDefault(route);

    public int OfTenant(string tenant) => _perTenant.GetValueOrDefault(tenant);

    /// <summary>A place for one process of <paramref name="route"/> (<c>{tenant}/{route}</c>); throws an <see cref="UpstreamException"/> when none is free.</summary>
    public IDisposable Acquire(string route, int maxPerRoute, int maxPerTenant)
    {
        var tenant = LocalSessions.TenantOf(route);
        lock (_lock)
        {
            if (OfRoute(route) >= maxPerRoute)
            {
                LimitMetrics.Exceeded(LimitMetrics.StdioProcessesPerRoute);
                throw new UpstreamException($"the route runs {maxPerRoute} local processes on this gateway, its limit; try again when sessions close");
            }

            if (OfTenant(tenant) >= maxPerTenant)
            {
                LimitMetrics.Exceeded(LimitMetrics.StdioProcessesPerTenant);
                throw new UpstreamException($"the tenant's routes run {maxPerTenant} local processes on this gateway, its limit; try again when sessions close");
            }

            _perRoute[route] = OfRoute(route) + 1;
            _perTenant[tenant] = OfTenant(tenant) + 1;
        }

        return new Lease(this, route, tenant);
    }

    private void Release(string route, string tenant)
    {
        lock (_lock)
        {
            _perRoute[route] = OfRoute(route) - 1;
            _perTenant[tenant] = OfTenant(tenant) - 1;
        }
    }

    private sealed class Lease(StdioProcessCount owner, string route, string tenant) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(route, tenant);
            }
        }
    }
}
