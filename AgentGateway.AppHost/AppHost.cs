using AgentGateway.AppHost.Extensions;

var builder = DistributedApplication.CreateBuilder(args);
var ports = GatewayPorts.From(builder.Configuration);

// Control-plane database: a container when Docker/Podman is healthy, else the local PostgreSQL binaries.
var postgres = builder.AddAgentGatewayPostgres(ports.Postgres);

// Rate-limit counters shared by the proxies, and the Portal's sessions: a container when Docker/Podman is healthy, else the local redis-server.
var redis = builder.AddAgentGatewayRedis();

// Identity: the local Keycloak-shaped issuer, or the external realm named by Identity:Authority.
var identity = builder.AddAgentGatewayIdentity(ports);

// Demo upstreams.
var utils = builder.AddService<Projects.AgentGateway_Samples_Utilities>("utils", ports.Utils);
var notes = builder.AddService<Projects.AgentGateway_Samples_Notes>("notes", ports.Notes);
var models = builder.AddService<Projects.AgentGateway_Samples_Models>("models", ports.Models);

var proxyUrl = GatewayPorts.Url(ports.Proxy);
var adminApiUrl = GatewayPorts.Url(ports.AdminApi);
var xdsUrl = GatewayPorts.Url(ports.AdminApiXds);

// Scale:AdminApis and Scale:Proxies above 1 run that many replicas (each on its ports plus 100 per replica) behind a
// load balancer on the usual ports, which follows each replica's readiness.
var scale = GatewayScale.From(builder.Configuration);
var adminApis = Enumerable.Range(1, scale.AdminApis).Select(replica =>
{
    var (name, port, xdsPort, managementPort) = scale.AdminApis == 1
        ? ("adminapi", ports.AdminApi, ports.AdminApiXds, ports.AdminApiManagement)
        : ($"adminapi-{replica}", GatewayScale.Port(ports.AdminApi, replica), GatewayScale.Port(ports.AdminApiXds, replica), GatewayScale.Port(ports.AdminApiManagement, replica));
    var adminApi = builder.AddService<Projects.AgentGateway_AdminApi>(name, port)
        .WithEndpoint(port: xdsPort, targetPort: xdsPort, scheme: "http", name: "xds", isProxied: false)
        .WithManagementEndpoint(managementPort)
        .WithEndpointsInEnvironment(_ => false)
        .WithReference(postgres, PostgresExtensions.DatabaseName)
        .WithEnvironment("Kestrel__Endpoints__Http__Url", GatewayPorts.Url(port))
        .WithEnvironment("Kestrel__Endpoints__Xds__Url", GatewayPorts.Url(xdsPort))
        .WithEnvironment("Kestrel__Endpoints__Xds__Protocols", "Http2")
        .WithIdentity(identity)
        .WithSecretsMasterKey()
        .WithEnvironment("Proxy__PublicUrl", proxyUrl)
        .WithEnvironment("Portal__PublicUrl", GatewayPorts.Url(ports.Portal))
        .WaitFor(postgres);
    return (Resource: adminApi, Port: port, XdsPort: xdsPort, ManagementPort: managementPort);
}).ToList();

// The first replica migrates the database and seeds the demo; the others start after it.
var adminApi = adminApis[0].Resource.WithDemoData(utils, notes, models, ports);
foreach (var replica in adminApis.Skip(1))
{
    replica.Resource.WaitFor(adminApi);
}

if (scale.AdminApis > 1)
{
    adminApi = builder.AddLoadBalancer("adminapi", ports.AdminApi, adminApis.Select(replica => (replica.Port, replica.ManagementPort)));
    builder.AddLoadBalancer("adminapi-xds", ports.AdminApiXds, adminApis.Select(replica => (replica.XdsPort, replica.ManagementPort)), http2: true);
}

var proxies = Enumerable.Range(1, scale.Proxies).Select(replica =>
{
    var (name, port, managementPort) = scale.Proxies == 1
        ? ("proxy", ports.Proxy, ports.ProxyManagement)
        : ($"proxy-{replica}", GatewayScale.Port(ports.Proxy, replica), GatewayScale.Port(ports.ProxyManagement, replica));
    builder.AddService<Projects.AgentGateway_Proxy>(name, port, healthPath: "/healthz")
        .WithManagementEndpoint(managementPort)
        .WithEndpointsInEnvironment(endpoint => endpoint.Name != AgentGateway.AppHost.Extensions.ProjectResourceExtensions.ManagementEndpoint)
        .WithEnvironment("Xds__Address", xdsUrl)
        // On one machine the dashboard takes every label: metrics by tenant and route, and an access log line a request.
        .WithEnvironment("Telemetry__Metrics__Tenant", "true")
        .WithEnvironment("Telemetry__Metrics__Route", "true")
        .WithEnvironment("Telemetry__AccessLog__Enabled", "true")
        .WithEnvironment("Xds__ClientId", identity.Clients.ProxyClientId)
        .WithEnvironment("Xds__ClientSecret", identity.Clients.ProxyClientSecret)
        .WithIdentity(identity)
        .WithReference(redis)
        .WaitFor(redis)
        .WithReferenceRelationship(adminApi);
    return (Port: port, ManagementPort: managementPort);
}).ToList();

if (scale.Proxies > 1)
{
    builder.AddLoadBalancer("proxy", ports.Proxy, proxies);
}

builder.AddService<Projects.AgentGateway_Portal>("portal", ports.Portal)
    .WithEnvironment("AdminApi__BaseUrl", adminApiUrl)
    .WithEnvironment("Proxy__PublicUrl", proxyUrl)
    .WithTraceLinks()
    .WithIdentity(identity)
    .WithEnvironment("Identity__ClientId", identity.Clients.PortalClientId)
    .WithEnvironment("Identity__ClientSecret", identity.Clients.PortalClientSecret)
    .WithReference(redis)
    .WaitFor(redis)
    .WaitFor(adminApi);

builder.Build().Run();
