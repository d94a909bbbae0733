using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.DemoData;

/// <summary>
/// Creates the demo tenant, its developer, the sample MCP servers and a route federating them — once: when the
/// tenant already exists (a restart, or a user who changed it) nothing is touched.
/// </summary>
internal sealed partial class DemoDataSeeder(IOptions<DemoDataOptions> options, TimeProvider timeProvider, ILogger<DemoDataSeeder> logger)
{
    public async Task SeedAsync(AdminDbContext db, CancellationToken cancellationToken)
    {
        var demo = options.Value;
        if (!demo.Enabled || demo.Servers.Count == 0 || await db.Tenants.AnyAsync(tenant => tenant.Name == demo.Tenant, cancellationToken))
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
        await db.SaveConfigChangesAsync(cancellationToken);
        LogSeeded(logger, demo.Tenant, demo.Servers.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded demo tenant {Tenant} with a route federating {ServerCount} MCP servers")]
    private static partial void LogSeeded(ILogger logger, string tenant, int serverCount);
}
