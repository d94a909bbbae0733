using AgentGateway.AdminApi.Data;
using Npgsql;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// Keeps the xDS snapshot in step with Postgres: builds it at start, then <c>LISTEN</c>s for the notification every
/// committed config write sends (from any AdminApi replica) and rebuilds. If the connection drops it reconnects and
/// rebuilds, so a change made meanwhile is not missed.
/// </summary>
internal sealed partial class ConfigChangeListener(
    NpgsqlDataSource dataSource,
    XdsSnapshotBuilder builder,
    XdsSnapshotCache cache,
    TimeProvider timeProvider,
    ILogger<ConfigChangeListener> logger) : BackgroundService
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                var pending = 1;
                connection.Notification += (_, _) => Interlocked.Exchange(ref pending, 1);
                await using (var listen = new NpgsqlCommand($"LISTEN {ConfigChanges.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    if (Interlocked.Exchange(ref pending, 0) == 1)
                    {
                        await RebuildAsync(stoppingToken);
                    }

                    // Wait for the next notification; a burst of them leads to a single rebuild.
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or System.IO.IOException)
            {
                LogListenFailed(logger, s_retryDelay, exception.Message);
                await Task.Delay(s_retryDelay, timeProvider, stoppingToken);
            }
        }
    }

    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var snapshot = await builder.BuildAsync(cancellationToken);
        if (snapshot.Revision == cache.Current.Revision)
        {
            return;
        }

        cache.Set(snapshot);
        LogSnapshotBuilt(logger, snapshot.Revision, snapshot.Count, (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "xDS snapshot at config revision {Revision} with {ResourceCount} routes, built in {ElapsedMs} ms")]
    private static partial void LogSnapshotBuilt(ILogger logger, long revision, int resourceCount, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for config changes failed; retrying in {Delay}: {Reason}")]
    private static partial void LogListenFailed(ILogger logger, TimeSpan delay, string reason);
}
