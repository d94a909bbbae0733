using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class PolicyConfiguration : IEntityTypeConfiguration<Policy>
{
    public void Configure(EntityTypeBuilder<Policy> builder)
    {
        builder.ToTable("policies");
        builder.Property(policy => policy.Name).HasMaxLength(Names.MaxLength);
        builder.Property(policy => policy.Kind).HasMaxLength(40);
        builder.Property(policy => policy.Description).HasMaxLength(1000);
        builder.Property(policy => policy.TargetKind).HasMaxLength(20);
        builder.Property(policy => policy.TargetName).HasMaxLength(Names.MaxLength);
        builder.Property(policy => policy.Spec).IsJsonObject();
        builder.Property(policy => policy.Version).IsRowVersion();
        builder.HasIndex(policy => new { policy.TenantId, policy.Name }).IsUnique();
        // One policy of a kind per attachment: the database refuses a second one too.
        builder.HasIndex(policy => new { policy.TenantId, policy.Kind, policy.TargetKind, policy.TargetName }).IsUnique();
        builder.HasOne(policy => policy.Tenant).WithMany()
            .HasForeignKey(policy => policy.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
