using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

// The AppHost's load balancer for scaled-out runs (Scale:Proxies, Scale:AdminApis): round robin over the replicas
// whose readiness probe passes, probed every second on their health address, as a Kubernetes Service with
// readiness gates does. A replica that drains (its /readyz fails) leaves the rotation within two probes.
//   Balancer:Destinations:N:Address  where requests go (e.g. http://localhost:8181)
//   Balancer:Destinations:N:Health   where its /readyz answers (its management listener)
//   Balancer:Http2                   forward as cleartext HTTP/2 (gRPC), on a listener that speaks it
var builder = WebApplication.CreateBuilder(args);
var destinations = builder.Configuration.GetSection("Balancer:Destinations").Get<List<Replica>>() ?? [];
if (destinations.Count == 0)
{
    throw new InvalidOperationException("Balancer:Destinations is empty: give each replica's Address and Health.");
}

var http2 = builder.Configuration.GetValue<bool>("Balancer:Http2");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "replicas", Match = new RouteMatch { Path = "{**path}" } }],
    [
        new ClusterConfig
        {
            ClusterId = "replicas",
            LoadBalancingPolicy = "RoundRobin",
            HttpRequest = http2
                ? new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, ActivityTimeout = TimeSpan.FromHours(1) }
                : new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10) },
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = TimeSpan.FromSeconds(1),
                    Timeout = TimeSpan.FromSeconds(1),
                    Policy = "ConsecutiveFailures",
                    Path = "/readyz",
                },
            },
            Metadata = new Dictionary<string, string> { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "2" },
            Destinations = destinations.Select((replica, index) => (replica, index)).ToDictionary(
                pair => "replica-" + (pair.index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                pair => new DestinationConfig { Address = pair.replica.Address, Health = pair.replica.Health }),
        },
    ]);

var app = builder.Build();
app.MapGet("/balancer/healthz", () => "ok");
app.MapReverseProxy();
app.Run();

internal sealed record Replica(string Address, string? Health);
