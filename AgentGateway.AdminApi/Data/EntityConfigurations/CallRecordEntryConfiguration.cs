using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class CallRecordEntryConfiguration : IEntityTypeConfiguration<CallRecordEntry>
{
    public void Configure(EntityTypeBuilder<CallRecordEntry> builder)
    {
        builder.ToTable("call_records");
        builder.Property(entry => entry.Id).ValueGeneratedNever();
        builder.Property(entry => entry.Route).HasMaxLength(Names.MaxLength);
        builder.Property(entry => entry.Kind).HasMaxLength(8);
        builder.Property(entry => entry.Operation).HasMaxLength(64);
        builder.Property(entry => entry.Target).HasMaxLength(512);
        builder.Property(entry => entry.Upstream).HasMaxLength(Names.MaxLength);
        builder.Property(entry => entry.Caller).HasMaxLength(512);
        builder.Property(entry => entry.Outcome).HasMaxLength(16);
        builder.Property(entry => entry.Error).HasMaxLength(512);
        builder.Property(entry => entry.TraceId).HasMaxLength(32);
        builder.Property(entry => entry.Arguments).HasMaxLength(4200);
        builder.Property(entry => entry.NodeId).HasMaxLength(256);
        builder.Property(entry => entry.Cost).HasPrecision(18, 8);
        builder.HasIndex(entry => new { entry.TenantId, entry.At });
        builder.HasIndex(entry => entry.At);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(entry => entry.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
