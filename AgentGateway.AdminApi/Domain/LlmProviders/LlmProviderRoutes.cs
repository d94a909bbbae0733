using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.Contracts.Policies.Kinds;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.LlmProviders;

/// <summary>Which of a tenant's LLM routes serve from which provider (a provider in use cannot be deleted).</summary>
internal static class LlmProviderRoutes
{
    /// <summary>The provider names of the tenant's LLM routes, each with the routes that name it.</summary>
    public static async Task<ILookup<string, string>> RoutesByProviderAsync(AdminDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var routes = await db.Routes.AsNoTracking().Where(route => route.TenantId == tenantId && route.Kind == RouteKinds.Llm)
            .OrderBy(route => route.Name).ToListAsync(cancellationToken);
        return routes
            .SelectMany(route => (RouteDefinitions.Of(route).Llm?.Providers ?? []).Select(provider => (Provider: provider.Name, Route: route.Name)))
            .ToLookup(pair => pair.Provider, pair => pair.Route, StringComparer.Ordinal);
    }
}
