namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>Roles within a tenant, ordered: each includes what the ones below it may do.</summary>
internal enum TenantRole
{
    Viewer = 0,
    Developer = 1,
    Admin = 2,
    Owner = 3,
}
