using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace AgentGateway.AppHost.Extensions;

/// <summary>How many replicas of AdminApi and of the proxy to run (configuration section <c>Scale</c>; 1 each by default).</summary>
internal sealed record GatewayScale(int AdminApis, int Proxies)
{
    public static GatewayScale From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Scale");
        return new GatewayScale(Read(section, "AdminApis"), Read(section, "Proxies"));
    }

    /// <summary>A replica's port: the service's own plus 100 per replica (the service's own is its load balancer's).</summary>
    public static int Port(int servicePort, int replica) => servicePort + (100 * replica);

    private static int Read(IConfigurationSection section, string key)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return 1;
        }

        return int.TryParse(value, out var count) && count is >= 1 and <= 9
            ? count
            : throw new InvalidOperationException($"Scale:{key} must be a number of replicas from 1 to 9; got '{value}'.");
    }
}

/// <summary>The load balancer in front of replicas (<c>tools/AgentGateway.LoadBalancer</c>).</summary>
internal static class LoadBalancerExtensions
{
    /// <summary>
    /// A balancer on <paramref name="port"/> over the replicas listening on the given ports, each probed on its
    /// management port's <c>/readyz</c>; <paramref name="http2"/> for gRPC (cleartext HTTP/2 on both sides).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddLoadBalancer(
        this IDistributedApplicationBuilder builder, string name, int port, IEnumerable<(int Port, int ManagementPort)> replicas, bool http2 = false)
    {
        var balancer = http2
            ? builder.AddProject<Projects.AgentGateway_LoadBalancer>(name, options =>
                {
                    options.ExcludeLaunchProfile = true;
                    options.ExcludeKestrelEndpoints = true;
                })
                .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
                .WithEnvironment("Kestrel__EndpointDefaults__Protocols", "Http2")
                .WithEnvironment("Balancer__Http2", "true")
            : builder.AddService<Projects.AgentGateway_LoadBalancer>(name, port, healthPath: "/balancer/healthz");
        var index = 0;
        foreach (var (replicaPort, managementPort) in replicas)
        {
            balancer
                .WithEnvironment($"Balancer__Destinations__{index}__Address", GatewayPorts.Url(replicaPort))
                .WithEnvironment($"Balancer__Destinations__{index}__Health", GatewayPorts.Url(managementPort));
            index++;
        }

        return balancer;
    }
}
