using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Mcp;

/// <summary>Closes idle sessions (and with them their upstream sessions) and every session at shutdown.</summary>
internal sealed partial class McpSessionExpiry(
    McpSessionStore sessions,
    IOptions<McpGatewayOptions> options,
    TimeProvider timeProvider,
    ILogger<McpSessionExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = options.Value.SessionIdleTimeout;
        var period = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));
        using var timer = new PeriodicTimer(period, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var closed = await sessions.CloseIdleAsync(timeProvider.GetUtcNow() - idle);
                if (closed > 0)
                {
                    LogExpired(logger, closed, idle);
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
        await sessions.CloseAllAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} MCP sessions idle for more than {IdleTimeout}")]
    private static partial void LogExpired(ILogger logger, int count, TimeSpan idleTimeout);
}
