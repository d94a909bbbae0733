using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Config.File;

/// <summary>
/// Standalone mode: loads the config file at start, then watches its directory and reloads on every change. A file
/// that fails to parse, or whose session keys, egress policy or host grants are invalid, is logged and the running
/// config stays; a route that fails on its own is logged and left out, and the file's other routes apply.
/// </summary>
internal sealed partial class GatewayFileWatcher(
    Microsoft.Extensions.Options.IOptions<GatewayFileOptions> options,
    SnapshotStore store,
    GatewayMetrics metrics,
    TimeProvider timeProvider,
    ILogger<GatewayFileWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = Path.GetFullPath(options.Value.ConfigFile!);
        var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler onChange = (_, _) => changed.Release();
        watcher.Changed += onChange;
        watcher.Created += onChange;
        watcher.Renamed += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;

        await LoadAsync(path, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await changed.WaitAsync(stoppingToken);
                // Let a burst of events from one save settle, then read once.
                await Task.Delay(options.Value.ReloadDelay, timeProvider, stoppingToken);
                while (changed.CurrentCount > 0)
                {
                    await changed.WaitAsync(stoppingToken);
                }

                await LoadAsync(path, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task LoadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var text = await System.IO.File.ReadAllTextAsync(path, cancellationToken);
            var content = GatewayFileParser.Parse(text);
            var version = System.IO.File.GetLastWriteTimeUtc(path).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            var previous = store.Current?.Routes.ToDictionary(GatewaySnapshot.NameOf, StringComparer.Ordinal) ?? [];
            // A route the file no longer says right keeps the version served before, whether it fails to read or to validate.
            var unread = content.Rejected.Select(rejected => previous.GetValueOrDefault(rejected.Name)).OfType<Route>();
            var result = GatewaySnapshot.CreateKeepingPrevious(
                version, [.. content.Routes, .. unread], previous, content.SessionKeys, content.Egress, content.HostGrants);
            if (result.Snapshot is null)
            {
                metrics.ConfigUpdated("file", "rejected");
                LogRejected(logger, path, result.ErrorMessage);
                return;
            }

            var served = result.Snapshot.Routes.Select(GatewaySnapshot.NameOf).ToHashSet(StringComparer.Ordinal);
            foreach (var rejected in content.Rejected.Select(rejected => rejected with { PreviousServed = served.Contains(rejected.Name) }).Concat(result.Rejected))
            {
                LogRouteRejected(logger, path, rejected.ToString());
            }

            store.Apply(result.Snapshot);
            metrics.ConfigUpdated("file", "applied");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            metrics.ConfigUpdated("file", "rejected");
            // Whatever is wrong with the file, the proxy keeps serving the last good config.
            LogRejected(logger, path, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Config file {Path}: {Refusal}; the file's other routes apply")]
    private static partial void LogRouteRejected(ILogger logger, string path, string refusal);

    [LoggerMessage(Level = LogLevel.Error, Message = "Config file {Path} was not applied, the running config stays: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
