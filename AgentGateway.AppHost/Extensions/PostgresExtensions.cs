using System.Security.Cryptography;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// PostgreSQL for the control plane: a container when a container runtime is healthy, else the locally installed
/// server binaries as an executable resource. <c>Postgres:Mode</c> = <c>auto</c> (default), <c>container</c> or
/// <c>local</c>; <c>Postgres:DataDirectory</c> moves the local data directory; <c>Postgres:BinDirectory</c> (or the
/// environment variable <c>POSTGRES_BIN_DIR</c>) names the directory of the server binaries.
/// </summary>
internal static class PostgresExtensions
{
    public const string DatabaseName = "agentgateway";

    private static readonly TimeSpan s_containerProbeTimeout = TimeSpan.FromSeconds(4);

    public static IResourceBuilder<IResourceWithConnectionString> AddAgentGatewayPostgres(
        this IDistributedApplicationBuilder builder, int port)
    {
        var mode = (builder.Configuration["Postgres:Mode"] ?? "auto").Trim().ToLowerInvariant();
        var useContainer = mode switch
        {
            "container" => true,
            "local" => false,
            "auto" => ContainerRuntime.IsHealthy(s_containerProbeTimeout),
            _ => throw new InvalidOperationException($"Postgres:Mode must be 'auto', 'container' or 'local'; got '{mode}'."),
        };

        if (useContainer)
        {
            var database = builder.AddPostgres("postgres", port: port)
                .WithDataVolume("agentgateway-postgres")
                .AddDatabase(DatabaseName);
            return builder.CreateResourceBuilder<IResourceWithConnectionString>(database.Resource);
        }

        var binDirectory = builder.Configuration["Postgres:BinDirectory"] is { Length: > 0 } configuredBin
            ? configuredBin
            : Environment.GetEnvironmentVariable("POSTGRES_BIN_DIR");
        if (!LocalBinariesExist(binDirectory))
        {
            throw new InvalidOperationException(
                "PostgreSQL is needed but neither a container runtime nor the PostgreSQL server binaries were found. "
                + "Install PostgreSQL (Debian/Ubuntu: 'apt-get install -y postgresql'), set Postgres:BinDirectory (or POSTGRES_BIN_DIR) "
                + "to the directory of its server binaries, "
                + "or start Docker/Podman.");
        }

        return builder.AddLocalPostgres(port, binDirectory);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalPostgres(this IDistributedApplicationBuilder builder, int port, string? binDirectory)
    {
        var dataDirectory = DataDirectory(builder);
        var passwordFile = dataDirectory.TrimEnd(Path.DirectorySeparatorChar) + ".password";
        var password = LoadOrCreatePassword(dataDirectory, passwordFile);
        var script = Path.Combine(builder.AppHostDirectory, "Postgres", "run-postgres.sh");

        var server = new LocalPostgresResource("postgres", builder.AppHostDirectory, port, password, DatabaseName);
        var healthCheckKey = "postgres-accepts-connections";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new LocalPostgresHealthCheck(server), failureStatus: null, tags: null));

        var resource = builder.AddResource(server)
            .WithArgs(script, dataDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture), passwordFile)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck(healthCheckKey);
        if (!string.IsNullOrEmpty(binDirectory))
        {
            resource.WithEnvironment("POSTGRES_BIN_DIR", binDirectory);
        }

        return builder.CreateResourceBuilder<IResourceWithConnectionString>(resource.Resource);
    }

    /// <summary>
    /// The local server's data directory: <c>Postgres:DataDirectory</c>, or <c>&lt;local app data&gt;/agentgateway/postgres</c>.
    /// Generated credentials are kept beside it.
    /// </summary>
    public static string DataDirectory(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = builder.Configuration["Postgres:DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.AppHostDirectory)
            : Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "agentgateway",
                "postgres");
        return directory.TrimEnd(Path.DirectorySeparatorChar);
    }

    /// <summary>The password is generated once and kept next to the data directory, readable by the owner only.</summary>
    private static string LoadOrCreatePassword(string dataDirectory, string passwordFile)
    {
        if (File.Exists(passwordFile))
        {
            return File.ReadAllText(passwordFile).Trim();
        }

        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            throw new InvalidOperationException(
                $"The PostgreSQL data directory '{dataDirectory}' exists but its password file '{passwordFile}' is missing. "
                + "Restore the password file, or delete the data directory to start with an empty database, "
                + "or point Postgres:DataDirectory elsewhere.");
        }

        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        OwnerOnlyFile.Write(passwordFile, password);
        return password;
    }

    private static bool LocalBinariesExist(string? binDirectory)
    {
        if (!string.IsNullOrEmpty(binDirectory))
        {
            return File.Exists(Path.Combine(binDirectory, "postgres"));
        }

        return (Directory.Exists("/usr/lib/postgresql")
                && Directory.EnumerateDirectories("/usr/lib/postgresql").Any(d => File.Exists(Path.Combine(d, "bin", "postgres"))))
            || File.Exists("/usr/local/pgsql/bin/postgres")
            || (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Any(d => File.Exists(Path.Combine(d, "pg_config")));
    }
}
