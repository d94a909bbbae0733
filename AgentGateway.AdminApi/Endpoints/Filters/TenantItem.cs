using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentGateway.AdminApi.Endpoints.Filters;

/// <summary>
/// Endpoint metadata: the item of the tenant that an endpoint's path names (a route, a secret, a tool pin...). A caller
/// whose role the endpoint's <see cref="TenantRoleRequirement"/> does not allow is told the item is not there (404)
/// when it is not, as a caller of any role is, and 403 only when it is.
/// </summary>
internal sealed class TenantItem
{
    private readonly IReadOnlyList<string> _keys;
    private readonly Func<AdminDbContext, Guid, IReadOnlyList<string>, CancellationToken, Task<bool>> _existsAsync;
    private readonly Func<IReadOnlyList<string>, string> _name;

    /// <param name="kind">What the item is, as the 404 names it: "Route".</param>
    /// <param name="keys">The route parameters that name the item, in order.</param>
    /// <param name="existsAsync">Whether the tenant (by id) has the item the parameters' values name.</param>
    /// <param name="name">The item's name in the 404, from the values; by default the values joined by '/'.</param>
    public TenantItem(
        string kind, IReadOnlyList<string> keys, Func<AdminDbContext, Guid, IReadOnlyList<string>, CancellationToken, Task<bool>> existsAsync,
        Func<IReadOnlyList<string>, string>? name = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(existsAsync);
        Kind = kind;
        _keys = keys;
        _existsAsync = existsAsync;
        _name = name ?? (values => string.Join('/', values));
    }

    /// <summary>An item named by the one route parameter <paramref name="key"/>.</summary>
    public TenantItem(string kind, string key, Func<AdminDbContext, Guid, string, CancellationToken, Task<bool>> existsAsync)
        : this(kind, [key], (db, tenantId, values, cancellationToken) => existsAsync(db, tenantId, values[0], cancellationToken))
    {
    }

    public string Kind { get; }

    /// <summary>The 404 for the item the request names, when the caller's tenant has no such item; otherwise null.</summary>
    public async Task<ProblemHttpResult?> NotFoundAsync(HttpContext http, TenantGrant grant)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(grant);
        var values = _keys.Select(key => http.GetRouteValue(key) as string ?? string.Empty).ToList();
        var db = http.RequestServices.GetRequiredService<AdminDbContext>();
        return await _existsAsync(db, grant.Tenant.Id, values, http.RequestAborted) ? null : Problems.NotFound(Kind, _name(values));
    }
}
