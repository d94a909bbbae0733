using AgentGateway.AdminApi.Data;
using Npgsql;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// Keeps the xDS snapshot in step with Postgres: builds it at start, then <c>LISTEN</c>s for the notification every
/// committed config write sends (from any AdminApi replica) and rebuilds what it names: the routes of the tenants it
/// changed, or everything. If the connection drops it reconnects and rebuilds it all, so a change made meanwhile is
/// not missed.
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
                // Connected (again): changes may have been missed meanwhile, so the first build is a whole one.
                var pending = PendingChanges.Everything();
                connection.Notification += (_, notification) => pending.Add(notification.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ConfigChanges.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    if (pending.Take() is { } changes)
                    {
                        await RebuildAsync(changes, stoppingToken);
                    }

                    // Wait for the next notification. Each wait reads one: take every one already here too, so that
                    // a burst of writes leads to one build of what they changed, not one build each.
                    await connection.WaitAsync(stoppingToken);
                    while (await connection.WaitAsync(1, stoppingToken))
                    {
                    }
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

    /// <summary>
    /// Builds the snapshot again: whole, or when the changes since the last build name their tenants (and the last
    /// build was whole or built from one), only those tenants' routes on top of the current snapshot.
    /// </summary>
    private async Task RebuildAsync(PendingChanges.Batch changes, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var current = cache.Current;
        var tenants = current.Revision >= 0 ? changes.Tenants : null;
        if (tenants is not null && changes.Revision <= current.Revision)
        {
            // A whole build since has these changes already.
            return;
        }

        var snapshot = tenants is null
            ? await builder.BuildAsync(cancellationToken)
            : await builder.BuildTenantsAsync(current, tenants, changes.Revision!.Value, cancellationToken);
        if (snapshot.Revision == current.Revision)
        {
            return;
        }

        cache.Set(snapshot);
        var scope = tenants is null ? "whole" : $"the routes of {tenants.Count} tenant(s) rebuilt";
        LogSnapshotBuilt(logger, snapshot.Revision, snapshot.Count, (long)timeProvider.GetElapsedTime(started).TotalMilliseconds, scope);
    }

    /// <summary>The changes notified and not yet built: their last revision and the tenants they touch (null: everything).</summary>
    private sealed class PendingChanges
    {
        private readonly Lock _lock = new();
        private readonly HashSet<Guid> _tenants = [];
        private long _revision;
        private bool _any;
        private bool _everything;

        public static PendingChanges Everything() => new() { _any = true, _everything = true };

        public void Add(string? payload)
        {
            var (revision, tenants) = ConfigChangeScope.Parse(payload);
            lock (_lock)
            {
                _any = true;
                _revision = Math.Max(_revision, revision ?? 0);
                if (tenants is null)
                {
                    // Everything changed, or a notification this version cannot read: build it all.
                    _everything = true;
                }
                else
                {
                    _tenants.UnionWith(tenants);
                }
            }
        }

        public Batch? Take()
        {
            lock (_lock)
            {
                if (!_any)
                {
                    return null;
                }

                var batch = _everything ? new Batch(null, null) : new Batch(_revision, new HashSet<Guid>(_tenants));
                (_any, _everything, _revision) = (false, false, 0);
                _tenants.Clear();
                return batch;
            }
        }

        /// <summary>Null tenants: build everything.</summary>
        public sealed record Batch(long? Revision, IReadOnlySet<Guid>? Tenants);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "xDS snapshot at config revision {Revision} with {ResourceCount} resources, built in {ElapsedMs} ms ({Scope})")]
    private static partial void LogSnapshotBuilt(ILogger logger, long revision, int resourceCount, long elapsedMs, string scope);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for config changes failed; retrying in {Delay}: {Reason}")]
    private static partial void LogListenFailed(ILogger logger, TimeSpan delay, string reason);
}
