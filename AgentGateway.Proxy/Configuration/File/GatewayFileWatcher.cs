namespace AgentGateway.Proxy.Configuration.File;

/// <summary>
/// Standalone mode: loads the config file at start, then watches its directory and reloads on every change. A file
/// that fails to parse or validate is logged and the running config stays.
/// </summary>
internal sealed partial class GatewayFileWatcher(
    Microsoft.Extensions.Options.IOptions<GatewayFileOptions> options,
    SnapshotStore store,
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
            var result = GatewaySnapshot.Create(version, content.Routes, content.SessionKeys, content.Egress);
            if (result.Snapshot is null)
            {
                LogRejected(logger, path, result.ErrorMessage);
                return;
            }

            store.Apply(result.Snapshot);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Whatever is wrong with the file, the proxy keeps serving the last good config.
            LogRejected(logger, path, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Config file {Path} was not applied, the running config stays: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
