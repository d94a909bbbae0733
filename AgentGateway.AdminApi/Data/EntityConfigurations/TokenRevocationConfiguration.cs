using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class TokenRevocationConfiguration : IEntityTypeConfiguration<TokenRevocation>
{
    public void Configure(EntityTypeBuilder<TokenRevocation> builder)
    {
        builder.ToTable("token_revocations");
        builder.Property(revocation => revocation.TokenTypeHint).HasMaxLength(20);
        builder.Property(revocation => revocation.KeyId).HasMaxLength(32);
        builder.HasIndex(revocation => revocation.NotBefore);
    }
}
