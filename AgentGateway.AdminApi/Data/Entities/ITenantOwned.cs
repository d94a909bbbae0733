namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>A row of one tenant's configuration.</summary>
internal interface ITenantOwned
{
    Guid TenantId { get; }
}
