using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class LlmUsageEntryConfiguration : IEntityTypeConfiguration<LlmUsageEntry>
{
    public void Configure(EntityTypeBuilder<LlmUsageEntry> builder)
    {
        builder.ToTable("llm_usage");
        builder.Property(entry => entry.Id).UseIdentityAlwaysColumn();
        builder.Property(entry => entry.Route).HasMaxLength(Names.MaxLength);
        builder.Property(entry => entry.Subject).HasMaxLength(512);
        builder.Property(entry => entry.Model).HasMaxLength(256);
        builder.Property(entry => entry.Provider).HasMaxLength(Names.MaxLength);
        builder.Property(entry => entry.ProviderModel).HasMaxLength(256);
        builder.Property(entry => entry.Cost).HasPrecision(18, 8);
        builder.Property(entry => entry.Outcome).HasMaxLength(20);
        builder.Property(entry => entry.Api).HasMaxLength(30);
        builder.Property(entry => entry.NodeId).HasMaxLength(256);
        builder.HasIndex(entry => new { entry.TenantId, entry.At });
        builder.HasIndex(entry => entry.RecordId).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(entry => entry.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(entry => entry.ApiKeyId).OnDelete(DeleteBehavior.SetNull);
    }
}
