using AgentGateway.AdminApi.Data.Entities;

namespace AgentGateway.AdminApi.Domain.Tenants;

/// <summary>A tenant the caller may see, with the caller's effective role in it.</summary>
internal sealed record TenantGrant(Tenant Tenant, TenantRole Role)
{
    public bool Allows(TenantRole required) => Role >= required;
}
