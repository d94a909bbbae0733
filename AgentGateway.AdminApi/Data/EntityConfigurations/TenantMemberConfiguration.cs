using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class TenantMemberConfiguration : IEntityTypeConfiguration<TenantMember>
{
    public void Configure(EntityTypeBuilder<TenantMember> builder)
    {
        builder.ToTable("tenant_members");
        builder.HasKey(member => new { member.TenantId, member.Username });
        builder.Property(member => member.Username).HasMaxLength(256);
        builder.Property(member => member.Role).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(member => member.Username);
        builder.HasOne(member => member.Tenant).WithMany(tenant => tenant.Members)
            .HasForeignKey(member => member.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
