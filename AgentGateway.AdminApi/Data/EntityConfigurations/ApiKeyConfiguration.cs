using System.Text.Json;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.Property(key => key.Llm).IsOptionalJsonObject();
        builder.Property(key => key.Name).HasMaxLength(Names.MaxLength);
        builder.Property(key => key.Description).HasMaxLength(1000);
        builder.Property(key => key.Prefix).HasMaxLength(16);
        builder.Property(key => key.Sha256).HasMaxLength(64).IsFixedLength();
        builder.Property(key => key.CreatedBy).HasMaxLength(256);
        builder.Property(key => key.Metadata)
            .HasColumnType("jsonb")
            .HasConversion(
                metadata => JsonSerializer.Serialize(metadata, JsonSerializerOptions.Default),
                json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, JsonSerializerOptions.Default) ?? new Dictionary<string, string>(),
                new ValueComparer<Dictionary<string, string>>(
                    (left, right) => left!.Count == right!.Count && !left.Except(right).Any(),
                    metadata => metadata.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                    metadata => new Dictionary<string, string>(metadata)));
        builder.Property(key => key.Version).IsRowVersion();
        builder.HasIndex(key => new { key.TenantId, key.Name }).IsUnique();
        builder.HasIndex(key => key.Sha256).IsUnique();
        builder.HasOne(key => key.Tenant).WithMany()
            .HasForeignKey(key => key.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
