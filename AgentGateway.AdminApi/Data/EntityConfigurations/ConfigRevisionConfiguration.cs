using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class ConfigRevisionConfiguration : IEntityTypeConfiguration<ConfigRevision>
{
    public void Configure(EntityTypeBuilder<ConfigRevision> builder)
    {
        builder.ToTable("config_revisions");
        builder.Property(revision => revision.Id).ValueGeneratedNever();
        builder.HasData(new ConfigRevision { Id = ConfigRevision.SingletonId, Revision = 0 });
    }
}
