using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.Routes.Form;

/// <summary>
/// The tenant's catalogs a route form picks from besides MCP servers: agents (A2A routes) and LLM providers (LLM
/// routes). A catalog AdminApi refuses to list is empty with its error, shown where that kind is edited, so that the
/// other kinds stay usable.
/// </summary>
public sealed record RouteCatalogs(
    IReadOnlyList<AgentInfo> Agents, AdminApiException? AgentsError, IReadOnlyList<LlmProviderInfo> LlmProviders, AdminApiException? LlmProvidersError)
{
    public static RouteCatalogs Empty { get; } = new([], null, [], null);

    internal static async Task<RouteCatalogs> LoadAsync(AdminApiClient api, string tenant)
    {
        ArgumentNullException.ThrowIfNull(api);
        var (agents, agentsError) = await ListAsync(() => api.GetAgentsAsync(tenant));
        var (providers, providersError) = await ListAsync(() => api.GetLlmProvidersAsync(tenant));
        return new RouteCatalogs(agents, agentsError, providers, providersError);
    }

    private static async Task<(List<T> Items, AdminApiException? Error)> ListAsync<T>(Func<Task<List<T>>> list)
    {
        try
        {
            return (await list(), null);
        }
        catch (AdminApiException exception)
        {
            return ([], exception);
        }
    }
}
