using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// Redis for the proxies' distributed rate limits: a container when a container runtime is healthy, else the locally
/// installed <c>redis-server</c> as an executable resource (no persistence: counters are short-lived). <c>Redis:Mode</c>
/// = <c>auto</c> (default), <c>container</c> or <c>local</c>; <c>Redis:Binary</c> names the server binary; the port is
/// <c>Ports:Redis</c>, else a free one.
/// </summary>
internal static class RedisExtensions
{
    private static readonly TimeSpan s_containerProbeTimeout = TimeSpan.FromSeconds(4);

    public static IResourceBuilder<IResourceWithConnectionString> AddAgentGatewayRedis(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var mode = (builder.Configuration["Redis:Mode"] ?? "auto").Trim().ToLowerInvariant();
        var useContainer = mode switch
        {
            "container" => true,
            "local" => false,
            "auto" => ContainerRuntime.IsHealthy(s_containerProbeTimeout),
            _ => throw new InvalidOperationException($"Redis:Mode must be 'auto', 'container' or 'local'; got '{mode}'."),
        };
        var configuredPort = builder.Configuration["Ports:Redis"] is { Length: > 0 } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 65536
                ? parsed
                : throw new InvalidOperationException($"Ports:Redis must be a TCP port between 1 and 65535; got '{text}'.")
            : (int?)null;

        if (useContainer)
        {
            var container = builder.AddRedis("redis", configuredPort);
            return builder.CreateResourceBuilder<IResourceWithConnectionString>(container.Resource);
        }

        var binary = FindBinary(builder.Configuration["Redis:Binary"]) ?? throw new InvalidOperationException(
            "Redis is needed (distributed rate limits) but neither a container runtime nor the redis-server binary was found. "
            + "Install Redis (Debian/Ubuntu: 'apt-get install -y redis-server'), set Redis:Binary to the redis-server binary, "
            + "or start Docker/Podman.");
        var port = configuredPort ?? FreePort();
        var server = new LocalRedisResource("redis", binary, builder.AppHostDirectory, port);
        const string healthCheckKey = "redis-answers-ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new LocalRedisHealthCheck(server), failureStatus: null, tags: null));
        var resource = builder.AddResource(server)
            .WithArgs("--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck(healthCheckKey);
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(resource.Resource);
    }

    private static string? FindBinary(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        return new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(directory => Path.Combine(directory, "redis-server")))
            .FirstOrDefault(File.Exists);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A <c>redis-server</c> run from the local binary on loopback, exposing its StackExchange.Redis connection string.</summary>
internal sealed class LocalRedisResource(string name, string binary, string workingDirectory, int port)
    : ExecutableResource(name, binary, workingDirectory), IResourceWithConnectionString
{
    public int Port { get; } = port;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");
}

/// <summary>Healthy once the local server answers PING.</summary>
internal sealed class LocalRedisHealthCheck(LocalRedisResource server) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await client.ConnectAsync(IPAddress.Loopback, server.Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("Redis answered PING with something else.");
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer yet.", exception);
        }
    }
}
