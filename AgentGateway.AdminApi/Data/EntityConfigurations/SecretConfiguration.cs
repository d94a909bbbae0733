using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class SecretConfiguration : IEntityTypeConfiguration<Secret>
{
    public void Configure(EntityTypeBuilder<Secret> builder)
    {
        builder.ToTable("secrets");
        builder.Property(secret => secret.Name).HasMaxLength(Names.MaxLength);
        builder.Property(secret => secret.Description).HasMaxLength(1000);
        builder.Property(secret => secret.Ciphertext).IsRequired();
        builder.Property(secret => secret.KeyId).HasMaxLength(32);
        builder.Property(secret => secret.Version).IsRowVersion();
        builder.HasIndex(secret => new { secret.TenantId, secret.Name }).IsUnique();
        builder.HasOne(secret => secret.Tenant).WithMany()
            .HasForeignKey(secret => secret.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
