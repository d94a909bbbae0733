using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class SessionKeyConfiguration : IEntityTypeConfiguration<SessionKey>
{
    public void Configure(EntityTypeBuilder<SessionKey> builder)
    {
        builder.ToTable("session_keys");
        builder.HasKey(key => key.Id);
        builder.Property(key => key.Id).HasMaxLength(64);
        builder.Property(key => key.Material).IsRequired();
        // At most one primary key, enforced by the database.
        builder.HasIndex(key => key.IsPrimary).IsUnique().HasFilter("\"IsPrimary\"");
    }
}
