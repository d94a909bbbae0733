using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class HostClaimConfiguration : IEntityTypeConfiguration<HostClaim>
{
    public void Configure(EntityTypeBuilder<HostClaim> builder)
    {
        builder.ToTable("host_claims");
        builder.Property(claim => claim.Host).HasMaxLength(253);
        builder.HasIndex(claim => claim.Host).IsUnique();
        builder.Property(claim => claim.ClaimedBy).HasMaxLength(256);
        builder.Property(claim => claim.AssignedBy).HasMaxLength(256);
        builder.HasOne(claim => claim.Tenant).WithMany()
            .HasForeignKey(claim => claim.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
