using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace AgentGateway.ConformanceServer.Mcp.Caching;

/// <summary>
/// Adds SEP-2549 caching hints (<c>ttlMs</c>, <c>cacheScope</c>) to list and read results. The fixture's primitives
/// are the same for every caller, so lists are public; resource contents are marked private.
/// </summary>
internal static class CachingHintFilters
{
    public static readonly TimeSpan ListTimeToLive = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan ReadTimeToLive = TimeSpan.FromMinutes(1);

    public static IMcpRequestFilterBuilder AddCachingHints(this IMcpRequestFilterBuilder filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        return filters
            .AddListToolsFilter(next => async (request, cancellationToken) =>
                Hint(await next(request, cancellationToken), ListTimeToLive, CacheScope.Public))
            .AddListPromptsFilter(next => async (request, cancellationToken) =>
                Hint(await next(request, cancellationToken), ListTimeToLive, CacheScope.Public))
            .AddListResourcesFilter(next => async (request, cancellationToken) =>
                Hint(await next(request, cancellationToken), ListTimeToLive, CacheScope.Public))
            .AddListResourceTemplatesFilter(next => async (request, cancellationToken) =>
                Hint(await next(request, cancellationToken), ListTimeToLive, CacheScope.Public))
            .AddReadResourceFilter(next => async (request, cancellationToken) =>
                Hint(await next(request, cancellationToken), ReadTimeToLive, CacheScope.Private));
    }

    private static T Hint<T>(T result, TimeSpan timeToLive, CacheScope scope)
        where T : ICacheableResult
    {
        result.TimeToLive ??= timeToLive;
        result.CacheScope ??= scope;
        return result;
    }
}
