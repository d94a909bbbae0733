using Aspire.Hosting.ApplicationModel;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// A PostgreSQL server run from the locally installed binaries by <c>Postgres/run-postgres.sh</c>, exposing the
/// connection string of the platform's database.
/// </summary>
internal sealed class LocalPostgresResource(string name, string workingDirectory, int port, string password, string databaseName)
    : ExecutableResource(name, "bash", workingDirectory), IResourceWithConnectionString
{
    public int Port { get; } = port;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{ConnectionString(DatabaseName)}");

    /// <summary>The connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={password};Database={database}";
}
