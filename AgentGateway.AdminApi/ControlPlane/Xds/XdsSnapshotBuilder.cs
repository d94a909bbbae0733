using System.Collections.Frozen;
using System.Security.Cryptography;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Connections;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.AdminApi.Domain.Secrets;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.Routing;
using HostGrant = AgentGateway.Contracts.V1.HostGrant;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// Reads the whole configuration from Postgres in one snapshot-isolated transaction and builds the xDS snapshot:
/// every route with its effective policies (secrets decrypted and inlined, so each value reaches only the routes that
/// use it) and its approved tool pins, the session keys and the egress policy.
/// </summary>
internal sealed partial class XdsSnapshotBuilder(
    IServiceScopeFactory scopeFactory,
    SecretProtector protector,
    IOptions<EgressOptions> egressOptions,
    IOptions<PortalOptions> portal,
    IOptions<AgentGateway.AdminApi.Domain.Identity.PlatformIssuerOptions> platformIssuer,
    TimeProvider timeProvider,
    ILogger<XdsSnapshotBuilder> logger)
{
    /// <summary>The whole snapshot, at the revision the database is at.</summary>
    public Task<XdsSnapshot> BuildAsync(CancellationToken cancellationToken) => BuildAsync(null, cancellationToken);

    /// <summary>
    /// <paramref name="previous"/> with the routes of <paramref name="tenants"/> built again from the database and every
    /// other resource kept: for changes that touched those tenants alone (see <see cref="ConfigChangeScope"/>), at
    /// <paramref name="revision"/>, the last of them (every earlier change is in <paramref name="previous"/> or these tenants).
    /// </summary>
    public Task<XdsSnapshot> BuildTenantsAsync(XdsSnapshot previous, IReadOnlySet<Guid> tenants, long revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(tenants);
        return BuildAsync((previous, tenants, revision), cancellationToken);
    }

    private async Task<XdsSnapshot> BuildAsync((XdsSnapshot Snapshot, IReadOnlySet<Guid> Tenants, long Revision)? increment, CancellationToken cancellationToken)
    {
        Guid[]? only = increment is { Tenants: var tenants } ? [.. tenants] : null;
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var revision = increment?.Revision ?? await db.ConfigRevisions.AsNoTracking().Select(row => row.Revision).SingleAsync(cancellationToken);
        var routes = await Of(db.Routes, only)
            .Include(route => route.Tenant)
            .Include(route => route.Agent)
            .Include(route => route.Targets).ThenInclude(target => target.McpServer)
            .ToListAsync(cancellationToken);
        var policies = await Of(db.Policies, only).ToListAsync(cancellationToken);
        var secrets = await Of(db.Secrets, only).ToListAsync(cancellationToken);
        var apiKeys = await Of(db.ApiKeys, only).Where(key => key.RevokedAt == null).ToListAsync(cancellationToken);
        var roleBindings = await Of(db.RoleBindings, only).Include(binding => binding.Role).ToListAsync(cancellationToken);
        var pins = await Of(db.ToolPins, only).Where(pin => pin.ApprovedSha256 != null).ToListAsync(cancellationToken);
        var llmProviders = await Of(db.LlmProviders, only).ToListAsync(cancellationToken);

        // The shared resources change only with a change of everything: an increment keeps the previous ones.
        List<Data.Entities.SessionKey> keys = [];
        List<AgentGateway.Contracts.V1.EgressAllowRule> allowRules = [];
        List<HostGrant> grantedHosts;
        if (increment is { Snapshot: var previous })
        {
            grantedHosts = [.. previous.GrantTenants.Select(grant => new HostGrant { Host = grant.Key, Tenant = grant.Value })];
        }
        else
        {
            keys = await db.SessionKeys.AsNoTracking().ToListAsync(cancellationToken);
            allowRules = await EgressGuard.AllowRulesAsync(db, cancellationToken);
            grantedHosts = await db.HostClaims.AsNoTracking().Where(claim => claim.Granted).Include(claim => claim.Tenant)
                .Select(claim => new HostGrant { Host = claim.Host, Tenant = claim.Tenant!.Name }).ToListAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        var grants = HostGrantSet.Create(grantedHosts);
        var leftOut = new Dictionary<string, string>(StringComparer.Ordinal);
        var routeTenants = new Dictionary<string, Guid>(StringComparer.Ordinal);

        var now = timeProvider.GetUtcNow();
        var policiesByTenant = policies.ToLookup(policy => policy.TenantId);
        var apiKeysByTenant = apiKeys.ToLookup(key => key.TenantId);
        var roleBindingsByTenant = roleBindings.ToLookup(binding => binding.TenantId);
        var pinsByRoute = pins.ToLookup(pin => pin.RouteId);
        var llmCatalogs = llmProviders.GroupBy(provider => provider.TenantId)
            .ToDictionary(group => group.Key, group => (IReadOnlyDictionary<string, LlmProvider>)group.ToDictionary(provider => provider.Name, StringComparer.Ordinal));
        var security = routes.Select(route => route.TenantId).Distinct().ToDictionary(
            tenant => tenant,
            tenant => TenantSecurity.From(policiesByTenant[tenant], apiKeysByTenant[tenant], roleBindingsByTenant[tenant], now));
        var secretsByName = secrets.ToDictionary(secret => (secret.TenantId, secret.Name));
        var decrypted = new Dictionary<(Guid, string), string?>();

        var routeResources = new Dictionary<string, Resource>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var name = RouteResources.ResourceName(route.Tenant!.Name, route.Name);
            routeTenants[name] = route.TenantId;
            var tenantSecurity = security.GetValueOrDefault(route.TenantId) ?? TenantSecurity.Empty;
            var llm = route.Kind == RouteKinds.Llm ? RouteDefinitions.Of(route).Llm : null;
            var unreadableFor = tenantSecurity.Policies.UnreadableFor(
                route.Name, [.. route.Targets.Select(target => target.McpServer!.Name)], route.Agent?.Name, llm is null ? null : [.. llm.Providers.Select(provider => provider.Name)]);
            if (unreadableFor.FirstOrDefault() is { } unreadable)
            {
                LogRouteWithUnreadablePolicy(logger, name, unreadable.Name);
                leftOut[name] = $"policy '{unreadable.Name}', which applies to it, cannot be read by this version of the control plane";
                continue;
            }

            var effective = EffectivePolicyResolver.Resolve(tenantSecurity, route);
            string? missing = null;
            foreach (var spec in effective.Specs)
            {
                missing ??= SecretInliner.Inline(spec, secret => Decrypt(route.TenantId, secret));
            }

            if (missing is not null)
            {
                // Without its secret the route cannot work as configured; proxies drop it rather than run it without.
                LogRouteWithoutSecret(logger, name, missing);
                leftOut[name] = $"its policies use secret '{missing}', which does not exist or cannot be decrypted";
                continue;
            }

            var tenantName = route.Tenant.Name;
            var message = RouteResources.ToResource(route, tenantName, effective, pinsByRoute[route.Id], llmCatalogs.GetValueOrDefault(route.TenantId),
                policy => portal.Value.ConnectUrl(tenantName, policy));
            message.AuditArguments = route.Tenant.AuditArguments;
            if (message.Llm is not null && route.Tenant.LlmBudgetExhaustedUntil is { } exhausted)
            {
                message.TenantLlmBudgetExhaustedUntil = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(exhausted);
            }
            // The checks every proxy makes: a route they would refuse is not sent, and says why.
            var errors = new List<ConfigError>();
            RouteResourceValidator.Validate(message, grants, errors);
            if (errors.Count > 0)
            {
                var reason = string.Join("; ", errors);
                LogRouteRefused(logger, name, reason);
                leftOut[name] = reason;
                continue;
            }

            if (UserConnections.UntrustedCallers(message, platformIssuer.Value.Issuer) is { } untrusted)
            {
                LogRouteRefused(logger, name, untrusted);
                leftOut[name] = untrusted;
                continue;
            }

            // The proxy's own cloud identity goes only to tenants a platform admin allowed (and allows still).
            if (!route.Tenant.AllowProxyIdentity && AgentGateway.Contracts.Policies.PolicyValidator.ProxyIdentityUses(message).FirstOrDefault() is { } ambient)
            {
                var reason = $"{ambient}: the proxy's own cloud identity is not allowed for tenant '{route.Tenant.Name}'";
                LogRouteRefused(logger, name, reason);
                leftOut[name] = reason;
                continue;
            }

            routeResources[name] = new Resource { Name = name, Version = RouteResources.Version(message), Resource_ = Any.Pack(message) };
        }

        if (increment is { Snapshot: var before, Tenants: var rebuilt })
        {
            return Merge(before, rebuilt, revision, routeResources, leftOut, routeTenants);
        }

        var keyResources = new Dictionary<string, Resource>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var message = new AgentGateway.Contracts.V1.SessionKey { Id = key.Id, Key = ByteString.CopyFrom(key.Material), Primary = key.IsPrimary };
            keyResources[key.Id] = new Resource { Name = key.Id, Version = RouteResources.Version(message), Resource_ = Any.Pack(message) };
        }

        var grantResources = grantedHosts.ToDictionary(
            grant => grant.Host,
            grant => new Resource { Name = grant.Host, Version = RouteResources.Version(grant), Resource_ = Any.Pack(grant) },
            StringComparer.Ordinal);

        var egress = EgressResources.ToResource(egressOptions.Value.BlockPrivateNetworks, allowRules);
        var egressResources = new Dictionary<string, Resource>(StringComparer.Ordinal)
        {
            [ResourceTypes.EgressPolicyName] = new Resource { Name = ResourceTypes.EgressPolicyName, Version = RouteResources.Version(egress), Resource_ = Any.Pack(egress) },
        };

        return new XdsSnapshot(revision, new Dictionary<string, FrozenDictionary<string, Resource>>(StringComparer.Ordinal)
        {
            [ResourceTypes.Route] = routeResources.ToFrozenDictionary(StringComparer.Ordinal),
            [ResourceTypes.SessionKey] = keyResources.ToFrozenDictionary(StringComparer.Ordinal),
            [ResourceTypes.EgressPolicy] = egressResources.ToFrozenDictionary(StringComparer.Ordinal),
            [ResourceTypes.HostGrant] = grantResources.ToFrozenDictionary(StringComparer.Ordinal),
        }.ToFrozenDictionary(StringComparer.Ordinal))
        {
            LeftOut = leftOut.ToFrozenDictionary(StringComparer.Ordinal),
            GrantTenants = grantedHosts.ToFrozenDictionary(grant => grant.Host, grant => grant.Tenant, StringComparer.Ordinal),
            RouteTenants = routeTenants.ToFrozenDictionary(StringComparer.Ordinal),
        };

        string? Decrypt(Guid tenantId, string secretName)
        {
            if (decrypted.TryGetValue((tenantId, secretName), out var cached))
            {
                return cached;
            }

            string? value = null;
            if (secretsByName.TryGetValue((tenantId, secretName), out var secret))
            {
                try
                {
                    value = protector.Decrypt(secret.TenantId, secret.Name, secret.KeyId, secret.Ciphertext);
                }
                catch (CryptographicException exception)
                {
                    LogUndecryptable(logger, secretName, exception.Message);
                }
            }

            decrypted[(tenantId, secretName)] = value;
            return value;
        }
    }

    /// <summary>The rows of <paramref name="tenants"/> (all when null), read-only.</summary>
    private static IQueryable<T> Of<T>(DbSet<T> rows, Guid[]? tenants)
        where T : class, ITenantOwned =>
        tenants is null ? rows.AsNoTracking() : rows.AsNoTracking().Where(row => tenants.Contains(row.TenantId));

    /// <summary><paramref name="previous"/> with the routes of <paramref name="tenants"/> replaced by those just built.</summary>
    private static XdsSnapshot Merge(
        XdsSnapshot previous, IReadOnlySet<Guid> tenants, long revision, Dictionary<string, Resource> routes, Dictionary<string, string> leftOut,
        Dictionary<string, Guid> routeTenants)
    {
        bool Kept(string name) => !(previous.RouteTenants.TryGetValue(name, out var tenant) && tenants.Contains(tenant));
        foreach (var (name, resource) in previous.Of(ResourceTypes.Route).Where(pair => Kept(pair.Key)))
        {
            routes.TryAdd(name, resource);
        }

        foreach (var (name, reason) in previous.LeftOut.Where(pair => Kept(pair.Key)))
        {
            leftOut.TryAdd(name, reason);
        }

        foreach (var (name, tenant) in previous.RouteTenants.Where(pair => Kept(pair.Key)))
        {
            routeTenants.TryAdd(name, tenant);
        }

        var resources = new Dictionary<string, FrozenDictionary<string, Resource>>(previous.Resources, StringComparer.Ordinal)
        {
            [ResourceTypes.Route] = routes.ToFrozenDictionary(StringComparer.Ordinal),
        };
        return previous with
        {
            Revision = revision,
            Resources = resources.ToFrozenDictionary(StringComparer.Ordinal),
            LeftOut = leftOut.ToFrozenDictionary(StringComparer.Ordinal),
            RouteTenants = routeTenants.ToFrozenDictionary(StringComparer.Ordinal),
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route} is left out of the proxies' config: its policies reference secret {Secret}, which does not exist or cannot be decrypted")]
    private static partial void LogRouteWithoutSecret(ILogger logger, string route, string secret);

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route} is left out of the proxies' config: policy {Policy}, which applies to it, cannot be read by this version")]
    private static partial void LogRouteWithUnreadablePolicy(ILogger logger, string route, string policy);

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route} is left out of the proxies' config: proxies would refuse it: {Reason}")]
    private static partial void LogRouteRefused(ILogger logger, string route, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Secret {Secret} cannot be decrypted: {Reason}")]
    private static partial void LogUndecryptable(ILogger logger, string secret, string reason);
}
