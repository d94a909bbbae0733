using AgentGateway.AdminApi.Data.Entities;

namespace AgentGateway.AdminApi.Domain.Tenants;

/// <summary>A tenant the caller may see, with the caller's effective role in it.</summary>
internal sealed record TenantGrant(Tenant Tenant, TenantRole Role)
{
    /// <summary>What a handler's parameter is bound to before the tenant is resolved: no tenant at all.</summary>
    private static readonly TenantGrant s_unresolved = new(null!, TenantRole.Viewer);

    public bool Allows(TenantRole required) => Role >= required;

    /// <summary>
    /// How a tenant endpoint's handler parameter binds. Binding runs before endpoint filters, so it binds a stand-in
    /// without a tenant; the filter of the endpoint's tenant group resolves the caller's grant and puts it in the
    /// stand-in's place before the handler runs (or answers 404 or 403 without running it).
    /// </summary>
    public static ValueTask<TenantGrant?> BindAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult<TenantGrant?>(s_unresolved);
    }
}
