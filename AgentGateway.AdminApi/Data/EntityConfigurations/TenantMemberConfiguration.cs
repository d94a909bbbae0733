using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class TenantMemberConfiguration : IEntityTypeConfiguration<TenantMember>
{
    public void Configure(EntityTypeBuilder<TenantMember> builder)
    {
        builder.ToTable("tenant_members");
        builder.HasKey(member => member.Id);
        builder.Property(member => member.Subject).HasMaxLength(256);
        builder.Property(member => member.Username).HasMaxLength(256);
        builder.Property(member => member.Role).HasConversion<string>().HasMaxLength(20);
        // One membership per user, and one pending invitation per name.
        builder.HasIndex(member => new { member.TenantId, member.Subject }).IsUnique().HasFilter("\"Subject\" IS NOT NULL");
        builder.HasIndex(member => new { member.TenantId, member.Username }).IsUnique().HasFilter("\"Subject\" IS NULL");
        builder.HasIndex(member => member.Subject);
        builder.HasIndex(member => member.Username);
        builder.HasOne(member => member.Tenant).WithMany(tenant => tenant.Members)
            .HasForeignKey(member => member.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
