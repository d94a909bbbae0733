using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> builder)
    {
        builder.ToTable("agents");
        builder.Property(agent => agent.Name).HasMaxLength(Names.MaxLength);
        builder.Property(agent => agent.Url).HasMaxLength(2048);
        builder.Property(agent => agent.CardUrl).HasMaxLength(2048);
        builder.Property(agent => agent.Description).HasMaxLength(1000);
        builder.Property(agent => agent.Card).IsOptionalJsonObject();
        builder.Property(agent => agent.CardError).HasMaxLength(2000);
        builder.Property(agent => agent.Version).IsRowVersion();
        builder.HasIndex(agent => new { agent.TenantId, agent.Name }).IsUnique();
        builder.HasOne(agent => agent.Tenant).WithMany()
            .HasForeignKey(agent => agent.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
