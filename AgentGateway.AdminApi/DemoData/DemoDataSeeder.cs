using AgentGateway.AdminApi.Apis;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Policies;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.V1;
using EgressAllowRule = AgentGateway.AdminApi.Data.Entities.EgressAllowRule;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.DemoData;

/// <summary>
/// Creates the demo tenant, its developer, the sample MCP servers, a route federating them and HTTP routes to the
/// samples' REST APIs — once: when the
/// tenant already exists (a restart, or a user who changed it) nothing is touched.
/// </summary>
internal sealed partial class DemoDataSeeder(IOptions<DemoDataOptions> options, TimeProvider timeProvider, ILogger<DemoDataSeeder> logger)
{
    public async Task SeedAsync(AdminDbContext db, CancellationToken cancellationToken)
    {
        var demo = options.Value;
        if (!demo.Enabled || demo.Servers.Count == 0)
        {
            return;
        }

        await AllowSampleServersAsync(db, demo, cancellationToken);
        if (await db.Tenants.AnyAsync(tenant => tenant.Name == demo.Tenant, cancellationToken))
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var tenant = new Tenant { Id = Guid.CreateVersion7(), Name = demo.Tenant, DisplayName = "Demo", CreatedAt = now, UpdatedAt = now };
        tenant.Members.Add(new TenantMember { Username = demo.Developer, Role = TenantRole.Developer, CreatedAt = now });
        db.Tenants.Add(tenant);

        var route = new GatewayRoute
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Name = "mcp",
            Path = $"/{demo.Tenant}/mcp",
            MatchKey = RouteDefinition.KeyOf(new RouteMatch { Path = $"/{demo.Tenant}/mcp" }),
            PrefixMode = PrefixModeSetting.Conditional,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var (server, index) in demo.Servers.Select((server, index) => (server, index)))
        {
            var entity = new McpServer
            {
                Id = Guid.CreateVersion7(),
                TenantId = tenant.Id,
                Name = server.Name,
                Description = server.Description,
                Transport = "streamable-http",
                Url = server.Url,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.McpServers.Add(entity);
            route.Targets.Add(new RouteTarget { McpServerId = entity.Id, McpServer = entity, Position = index });
        }

        db.Routes.Add(route);
        foreach (var http in demo.HttpRoutes.Where(http => Uri.TryCreate(http.Url, UriKind.Absolute, out _)))
        {
            AddHttpRoute(db, tenant, http, now);
        }

        await db.SaveConfigChangesAsync(cancellationToken);
        LogSeeded(logger, demo.Tenant, demo.Servers.Count);
    }

    /// <summary>
    /// An HTTP route taking <c>/{tenant}/{name}</c> and below to the sample's REST API, with a url-rewrite policy that
    /// replaces the prefix by the API's own path and a response header naming the gateway.
    /// </summary>
    private static void AddHttpRoute(AdminDbContext db, Tenant tenant, DemoHttpRouteOptions http, DateTimeOffset now)
    {
        var match = new RouteMatch { PathPrefix = $"/{tenant.Name}/{http.Name}" };
        var backend = new HttpBackend();
        backend.Destinations.Add(new HttpDestination { Name = "sample", Url = http.Url, Weight = 1 });
        var route = new GatewayRoute
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Name = http.Name,
            MatchKey = RouteDefinition.KeyOf(match),
            CreatedAt = now,
            UpdatedAt = now,
        };
        RouteDefinitions.Apply(route, new RouteDefinition(RouteKinds.Http, match, backend));
        db.Routes.Add(route);
        db.Policies.Add(new Policy
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Name = $"{http.Name}-rewrite",
            Kind = PolicyKinds.UrlRewrite,
            Description = $"{match.PathPrefix} is {http.UpstreamPath} upstream",
            TargetKind = PolicyTargets.Route,
            TargetName = http.Name,
            Spec = ProtoJson.Format(new UrlRewrite { ReplacePrefixMatch = http.UpstreamPath }),
            CreatedAt = now,
            UpdatedAt = now,
        });
        var headers = new HeaderModifier();
        headers.Set.Add(new HeaderValue { Name = "X-Served-By", Value = "agentgateway" });
        db.Policies.Add(new Policy
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Name = $"{http.Name}-headers",
            Kind = PolicyKinds.ResponseHeaders,
            Description = "marks answers that came through the gateway",
            TargetKind = PolicyTargets.Route,
            TargetName = http.Name,
            Spec = ProtoJson.Format(headers),
            CreatedAt = now,
            UpdatedAt = now,
        });
    }

    /// <summary>
    /// The sample servers listen on loopback, which tenant URLs may not reach by default: each gets an egress allow
    /// rule for its host and port (also for a demo tenant seeded before egress rules existed).
    /// </summary>
    private async Task AllowSampleServersAsync(AdminDbContext db, DemoDataOptions demo, CancellationToken cancellationToken)
    {
        var rules = await db.EgressAllowRules.Where(rule => rule.Host != null).ToListAsync(cancellationToken);
        var added = 0;
        foreach (var server in demo.Servers)
        {
            if (!Uri.TryCreate(server.Url, UriKind.Absolute, out var url))
            {
                continue;
            }

            var host = url.IdnHost.ToLowerInvariant();
            if (rules.Any(rule => rule.Host == host && (rule.Ports.Count == 0 || rule.Ports.Contains(url.Port))))
            {
                continue;
            }

            var rule = new EgressAllowRule
            {
                Id = Guid.CreateVersion7(),
                Host = host,
                Ports = [url.Port],
                Description = $"Demo sample MCP server '{server.Name}'",
                CreatedBy = "system",
                CreatedAt = timeProvider.GetUtcNow(),
            };
            db.EgressAllowRules.Add(rule);
            rules.Add(rule);
            added++;
        }

        if (added > 0)
        {
            await db.SaveConfigChangesAsync(cancellationToken);
            LogAllowed(logger, added);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Allowed egress to {Count} demo sample servers on loopback")]
    private static partial void LogAllowed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded demo tenant {Tenant} with a route federating {ServerCount} MCP servers")]
    private static partial void LogSeeded(ILogger logger, string tenant, int serverCount);
}
