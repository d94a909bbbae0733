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

var adminApi = builder.AddService<Projects.AgentGateway_AdminApi>("adminapi", ports.AdminApi)
    .WithEndpoint(port: ports.AdminApiXds, targetPort: ports.AdminApiXds, scheme: "http", name: "xds", isProxied: false)
    .WithManagementEndpoint(ports.AdminApiManagement)
    .WithEndpointsInEnvironment(_ => false)
    .WithReference(postgres, PostgresExtensions.DatabaseName)
    .WithEnvironment("Kestrel__Endpoints__Http__Url", adminApiUrl)
    .WithEnvironment("Kestrel__Endpoints__Xds__Url", xdsUrl)
    .WithEnvironment("Kestrel__Endpoints__Xds__Protocols", "Http2")
    .WithIdentity(identity)
    .WithSecretsMasterKey()
    .WithDemoData(utils, notes, models, ports)
    .WithEnvironment("Proxy__PublicUrl", proxyUrl)
    .WaitFor(postgres);

builder.AddService<Projects.AgentGateway_Proxy>("proxy", ports.Proxy, healthPath: "/healthz")
    .WithManagementEndpoint(ports.ProxyManagement)
    .WithEndpointsInEnvironment(endpoint => endpoint.Name != AgentGateway.AppHost.Extensions.ProjectResourceExtensions.ManagementEndpoint)
    .WithEnvironment("Xds__Address", xdsUrl)
    .WithEnvironment("Xds__ClientId", identity.Clients.ProxyClientId)
    .WithEnvironment("Xds__ClientSecret", identity.Clients.ProxyClientSecret)
    .WithIdentity(identity)
    .WithReference(redis)
    .WaitFor(redis)
    .WithReferenceRelationship(adminApi);

builder.AddService<Projects.AgentGateway_Portal>("portal", ports.Portal)
    .WithEnvironment("AdminApi__BaseUrl", adminApiUrl)
    .WithEnvironment("Proxy__PublicUrl", proxyUrl)
    .WithIdentity(identity)
    .WithEnvironment("Identity__ClientId", identity.Clients.PortalClientId)
    .WithEnvironment("Identity__ClientSecret", identity.Clients.PortalClientSecret)
    .WithReference(redis)
    .WaitFor(redis)
    .WaitFor(adminApi);

builder.Build().Run();
