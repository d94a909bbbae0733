using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentGateway.AdminApi.Hosting;

internal static class DataExtensions
{
    public const string ConnectionName = "agentgateway";

    /// <summary>EF Core on PostgreSQL (connection string <c>ConnectionStrings:agentgateway</c>), migrated at startup.</summary>
    public static IHostApplicationBuilder AddAdminApiData(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set. Give AdminApi the PostgreSQL connection string, e.g. Host=127.0.0.1;Port=55432;Database=agentgateway;Username=postgres;Password=...");
        }

        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<AuditInterceptor>();
        builder.Services.AddDbContext<AdminDbContext>((services, options) => options
            .UseNpgsql(services.GetRequiredService<NpgsqlDataSource>())
            .AddInterceptors(services.GetRequiredService<AuditInterceptor>()));
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres");
        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }
}
