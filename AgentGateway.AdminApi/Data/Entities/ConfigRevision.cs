namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>The single counter every config write increments; proxies see it as the xDS system version.</summary>
internal sealed class ConfigRevision
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    public long Revision { get; set; }
}
