using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class LlmProviderConfiguration : IEntityTypeConfiguration<LlmProvider>
{
    public void Configure(EntityTypeBuilder<LlmProvider> builder)
    {
        builder.ToTable("llm_providers");
        builder.Property(provider => provider.Name).HasMaxLength(Names.MaxLength);
        builder.Property(provider => provider.Kind).HasMaxLength(20);
        builder.Property(provider => provider.Url).HasMaxLength(2048);
        builder.Property(provider => provider.Description).HasMaxLength(1000);
        builder.Property(provider => provider.ApiVersion).HasMaxLength(40);
        builder.Property(provider => provider.Version).IsRowVersion();
        builder.HasIndex(provider => new { provider.TenantId, provider.Name }).IsUnique();
        builder.HasOne(provider => provider.Tenant).WithMany()
            .HasForeignKey(provider => provider.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
