using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain.Mcp;
using AgentGateway.AdminApi.Domain.Secrets;
using AgentGateway.AdminApi.Hosting.DemoData;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentGateway.AdminApi.Hosting;

/// <summary>
/// Applies EF Core migrations (creating the database if needed) and seeds demo data before AdminApi serves.
/// PostgreSQL may still be starting, so connection failures are retried for a while.
/// </summary>
internal sealed partial class DatabaseMigrator(IServiceScopeFactory scopeFactory, TimeProvider timeProvider, ILogger<DatabaseMigrator> logger) : IHostedService
{
    private static readonly TimeSpan s_giveUpAfter = TimeSpan.FromMinutes(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetUtcNow() + s_giveUpAfter;
        while (true)
        {
            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
                await db.Database.MigrateAsync(cancellationToken);
                await SessionKeys.EnsurePrimaryAsync(db, timeProvider, cancellationToken);
                await scope.ServiceProvider.GetRequiredService<SecretReencryption>().RunAsync(db, cancellationToken);
                await scope.ServiceProvider.GetRequiredService<Domain.Connections.UserTokenVault>().ReencryptAllAsync(cancellationToken);
                await scope.ServiceProvider.GetRequiredService<DemoDataSeeder>().SeedAsync(db, cancellationToken);
                LogMigrated(logger);
                return;
            }
            catch (NpgsqlException exception) when (exception.IsTransient || exception.InnerException is System.Net.Sockets.SocketException)
            {
                if (timeProvider.GetUtcNow() > deadline)
                {
                    throw;
                }

                LogWaiting(logger, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), timeProvider, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database is migrated and seeded")]
    private static partial void LogMigrated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for PostgreSQL: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
