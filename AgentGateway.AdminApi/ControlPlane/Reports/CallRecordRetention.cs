using AgentGateway.AdminApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.ControlPlane.Reports;

/// <summary>How long call records are kept (<c>Audit:CallRetention</c>, 30 days) and how often old ones are deleted.</summary>
internal sealed class CallRetentionOptions
{
    public const string SectionName = "Audit";

    public TimeSpan CallRetention { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan CallRetentionInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Deletes call records older than the retention period, at start and then every interval (on every replica: deleting twice is harmless).</summary>
internal sealed partial class CallRecordRetention(
    IServiceScopeFactory scopes, IOptions<CallRetentionOptions> options, TimeProvider timeProvider, ILogger<CallRecordRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.CallRetentionInterval, timeProvider);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
                var cutoff = timeProvider.GetUtcNow() - settings.CallRetention;
                var deleted = await db.CallRecords.Where(entry => entry.At < cutoff).ExecuteDeleteAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted, cutoff);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The database may be away; the next round tries again.
                LogFailed(logger, exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} call records older than {Cutoff}")]
    private static partial void LogDeleted(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete old call records: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
