using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class AuthorizationRoleConfiguration : IEntityTypeConfiguration<AuthorizationRole>
{
    public void Configure(EntityTypeBuilder<AuthorizationRole> builder)
    {
        builder.ToTable("authorization_roles");
        builder.Property(role => role.Name).HasMaxLength(Names.MaxLength);
        builder.Property(role => role.Description).HasMaxLength(1000);
        builder.Property(role => role.Version).IsRowVersion();
        builder.HasIndex(role => new { role.TenantId, role.Name }).IsUnique();
        builder.HasOne(role => role.Tenant).WithMany()
            .HasForeignKey(role => role.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
