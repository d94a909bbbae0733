using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants");
        builder.Property(tenant => tenant.Name).HasMaxLength(Names.MaxLength);
        builder.Property(tenant => tenant.DisplayName).HasMaxLength(200);
        builder.Property(tenant => tenant.Version).IsRowVersion();
        builder.HasIndex(tenant => tenant.Name).IsUnique();
        builder.Property(tenant => tenant.LlmBudget).IsOptionalJsonObject();
    }
}
