using System.Collections.Frozen;
using AgentGateway.AdminApi.Data;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Discovery;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Xds;

/// <summary>Reads every route from Postgres in one snapshot-isolated query and builds the xDS snapshot.</summary>
internal sealed class XdsSnapshotBuilder(IServiceScopeFactory scopeFactory)
{
    public async Task<XdsSnapshot> BuildAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var revision = await db.ConfigRevisions.AsNoTracking().Select(row => row.Revision).SingleAsync(cancellationToken);
        var routes = await db.Routes.AsNoTracking()
            .Include(route => route.Tenant)
            .Include(route => route.Targets).ThenInclude(target => target.McpServer)
            .ToListAsync(cancellationToken);
        var keys = await db.SessionKeys.AsNoTracking().ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var routeResources = new Dictionary<string, Resource>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var message = RouteResources.ToResource(route, route.Tenant!.Name);
            var name = RouteResources.ResourceName(route.Tenant.Name, route.Name);
            routeResources[name] = new Resource { Name = name, Version = RouteResources.Version(message), Resource_ = Any.Pack(message) };
        }

        var keyResources = new Dictionary<string, Resource>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var message = new AgentGateway.Contracts.V1.SessionKey { Id = key.Id, Key = ByteString.CopyFrom(key.Material), Primary = key.IsPrimary };
            keyResources[key.Id] = new Resource { Name = key.Id, Version = RouteResources.Version(message), Resource_ = Any.Pack(message) };
        }

        return new XdsSnapshot(revision, new Dictionary<string, FrozenDictionary<string, Resource>>(StringComparer.Ordinal)
        {
            [ResourceTypes.Route] = routeResources.ToFrozenDictionary(StringComparer.Ordinal),
            [ResourceTypes.SessionKey] = keyResources.ToFrozenDictionary(StringComparer.Ordinal),
        }.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
