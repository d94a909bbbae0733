using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using EgressAllowRule = AgentGateway.AdminApi.Data.Entities.EgressAllowRule;
using LlmProvider = AgentGateway.AdminApi.Data.Entities.LlmProvider;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Hosting.DemoData;

/// <summary>
/// Creates the demo tenant, its developer, the sample MCP servers, a route federating them, HTTP routes to the
/// samples' REST APIs, and an LLM route in front of the sample model server with guards, plus model prices — once:
/// when the tenant already exists (a restart, or a user who changed it) nothing is touched.
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
        tenant.Members.Add(new TenantMember { Id = Guid.CreateVersion7(), Username = demo.Developer, Role = TenantRole.Developer, CreatedAt = now });
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

        if (demo.Models is { } models && Uri.TryCreate(models.Url, UriKind.Absolute, out _))
        {
            AddLlmRoute(db, tenant, models, now);
            await AddModelPricesAsync(db, now, cancellationToken);
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
    /// The sample model server as the LLM provider of an LLM route <c>/{tenant}/models</c> serving <c>echo</c> and
    /// <c>reverse</c>, whose guards mask e-mail addresses and phone numbers in prompts and refuse card numbers.
    /// </summary>
    private static void AddLlmRoute(AdminDbContext db, Tenant tenant, DemoModelsOptions models, DateTimeOffset now)
    {
        db.LlmProviders.Add(new LlmProvider
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Name = models.Name,
            Kind = "openai",
            Url = models.Url,
            Description = "Sample OpenAI-compatible model server (demo-echo, demo-reverse)",
            CreatedAt = now,
            UpdatedAt = now,
        });
        var backend = new LlmBackend();
        backend.Providers.Add(new AgentGateway.Contracts.V1.LlmProvider { Name = models.Name });
        foreach (var (alias, model) in new[] { ("echo", "demo-echo"), ("reverse", "demo-reverse") })
        {
            var entry = new LlmModel { Name = alias };
            entry.Targets.Add(new LlmModelTarget { Provider = models.Name, Model = model });
            backend.Models.Add(entry);
        }

        var match = new RouteMatch { Path = $"/{tenant.Name}/models" };
        var route = new GatewayRoute
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Name = "models",
            MatchKey = RouteDefinition.KeyOf(match),
            CreatedAt = now,
            UpdatedAt = now,
        };
        RouteDefinitions.Apply(route, new RouteDefinition(RouteKinds.Llm, match, null, backend));
        db.Routes.Add(route);
        var guards = new LlmGuards();
        guards.Prompt.Add(new LlmGuard { Name = "no-cards", Pii = { PiiDetector.CreditCard }, Action = LlmGuardAction.Reject });
        guards.Prompt.Add(new LlmGuard { Name = "personal-data", Pii = { PiiDetector.Email, PiiDetector.Phone } });
        db.Policies.Add(new Policy
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Name = "models-guards",
            Kind = PolicyKinds.LlmGuards,
            Description = "e-mail addresses and phone numbers are masked before the model sees them; card numbers are refused",
            TargetKind = PolicyTargets.Route,
            TargetName = route.Name,
            Spec = ProtoJson.Format(guards),
            CreatedAt = now,
            UpdatedAt = now,
        });
    }

    /// <summary>Prices (USD per million tokens, providers' list prices) of the sample models and of common ones, where none is set.</summary>
    private static async Task AddModelPricesAsync(AdminDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var known = await db.ModelPrices.Select(price => price.Model).ToListAsync(cancellationToken);
        foreach (var (model, input, output) in new (string, decimal, decimal)[]
        {
            ("demo-echo", 0.50m, 1.50m), ("demo-reverse", 0.50m, 1.50m),
            ("gpt-4o-mini", 0.15m, 0.60m), ("gpt-4o", 2.50m, 10m), ("gpt-4.1", 2m, 8m), ("gpt-4.1-mini", 0.40m, 1.60m),
            ("claude-sonnet-4-5", 3m, 15m), ("claude-haiku-4-5", 1m, 5m), ("claude-opus-4-1", 15m, 75m),
        })
        {
            if (!known.Contains(model))
            {
                db.ModelPrices.Add(new ModelPrice { Model = model, InputPerMillion = input, OutputPerMillion = output, UpdatedAt = now, UpdatedBy = "system" });
            }
        }
    }

    /// <summary>
    /// The sample servers listen on loopback, which tenant URLs may not reach by default: each gets an egress allow
    /// rule for its host and port (also for a demo tenant seeded before egress rules existed).
    /// </summary>
    private async Task AllowSampleServersAsync(AdminDbContext db, DemoDataOptions demo, CancellationToken cancellationToken)
    {
        var rules = await db.EgressAllowRules.Where(rule => rule.Host != null).ToListAsync(cancellationToken);
        var added = 0;
        var samples = demo.Servers.Select(server => (server.Name, server.Url)).ToList();
        if (demo.Models is { } models)
        {
            samples.Add((models.Name, models.Url));
        }

        foreach (var server in samples)
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
                Description = $"Demo sample server '{server.Name}'",
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
