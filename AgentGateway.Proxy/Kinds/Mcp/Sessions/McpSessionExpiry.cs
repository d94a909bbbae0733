using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline.Snapshots;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Kinds.Mcp.Sessions;

/// <summary>Closes sessions idle on this replica: their upstream sessions end and the replica refuses their id.</summary>
internal sealed partial class McpSessionExpiry(
    LocalSessions sessions,
    McpUpstreams upstreams,
    SnapshotStore snapshots,
    IOptions<McpGatewayOptions> options,
    TimeProvider timeProvider,
    ILogger<McpSessionExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = options.Value.SessionIdleTimeout;
        var period = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromMinutes(1).Ticks));
        using var timer = new PeriodicTimer(period, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var expired = sessions.RemoveIdle(timeProvider.GetUtcNow() - idle);
                foreach (var session in expired)
                {
                    sessions.Close(session.State, "idle");
                    var route = snapshots.Current?.Routes.FirstOrDefault(route => $"{route.Tenant}/{route.Name}" == session.Route);
                    await upstreams.CloseAsync(session.State, session, route, stoppingToken);
                }

                if (expired.Count > 0)
                {
                    LogExpired(logger, expired.Count, idle);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Local processes and connections end with the proxy; nothing outlives it.
        foreach (var session in sessions.All)
        {
            await session.CloseConnectionsAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} MCP sessions idle for more than {IdleTimeout}")]
    private static partial void LogExpired(ILogger logger, int count, TimeSpan idleTimeout);
}
