using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// Healthy once the local server accepts a real connection; also creates the platform's database the first time,
/// because <c>initdb</c> only creates <c>postgres</c>.
/// </summary>
internal sealed class LocalPostgresHealthCheck(LocalPostgresResource server) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")) { Timeout = 3, Pooling = false };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);

            await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection))
            {
                exists.Parameters.AddWithValue("name", server.DatabaseName);
                if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    return HealthCheckResult.Healthy();
                }
            }

            // The name is a fixed identifier of this AppHost, never user input.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{server.DatabaseName}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Created database {server.DatabaseName}.");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not accept connections yet.", exception);
        }
    }
}
