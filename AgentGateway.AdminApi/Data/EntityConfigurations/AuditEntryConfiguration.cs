using System.Text.Json.Nodes;
using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.Property(entry => entry.Actor).HasMaxLength(256);
        builder.Property(entry => entry.Action).HasMaxLength(20);
        builder.Property(entry => entry.EntityType).HasMaxLength(40);
        builder.Property(entry => entry.EntityName).HasMaxLength(300);
        builder.Property(entry => entry.RequestId).HasMaxLength(200);
        var json = new ValueComparer<JsonObject?>(
            (left, right) => JsonNode.DeepEquals(left, right),
            value => value == null ? 0 : value.ToJsonString().GetHashCode(StringComparison.Ordinal),
            value => value == null ? null : value.DeepClone().AsObject());
        builder.Property(entry => entry.Before).HasColumnType("jsonb")
            .HasConversion(value => value == null ? null : value.ToJsonString(), text => text == null ? null : JsonNode.Parse(text, null, default)!.AsObject(), json);
        builder.Property(entry => entry.After).HasColumnType("jsonb")
            .HasConversion(value => value == null ? null : value.ToJsonString(), text => text == null ? null : JsonNode.Parse(text, null, default)!.AsObject(), json);
        builder.HasIndex(entry => new { entry.TenantId, entry.OccurredAt });
        builder.HasIndex(entry => entry.OccurredAt);
    }
}
