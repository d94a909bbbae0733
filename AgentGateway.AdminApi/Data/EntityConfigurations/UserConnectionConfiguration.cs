using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class UserConnectionConfiguration : IEntityTypeConfiguration<UserConnection>
{
    public void Configure(EntityTypeBuilder<UserConnection> builder)
    {
        builder.ToTable("user_connections");
        builder.Property(connection => connection.Policy).HasMaxLength(Names.MaxLength);
        builder.Property(connection => connection.Subject).HasMaxLength(1000);
        builder.Property(connection => connection.Username).HasMaxLength(300);
        builder.Property(connection => connection.KeyId).HasMaxLength(32);
        builder.Property(connection => connection.Scopes).HasMaxLength(2000);
        builder.Property(connection => connection.Version).IsRowVersion();
        builder.HasIndex(connection => new { connection.TenantId, connection.Policy, connection.Subject }).IsUnique();
        builder.HasIndex(connection => connection.Subject);
        builder.HasOne(connection => connection.Tenant).WithMany()
            .HasForeignKey(connection => connection.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
