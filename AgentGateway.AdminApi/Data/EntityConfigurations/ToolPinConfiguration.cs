using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class ToolPinConfiguration : IEntityTypeConfiguration<ToolPin>
{
    public void Configure(EntityTypeBuilder<ToolPin> builder)
    {
        builder.ToTable("tool_pins");
        builder.Property(pin => pin.Target).HasMaxLength(Names.MaxLength);
        builder.Property(pin => pin.Tool).HasMaxLength(256);
        builder.Property(pin => pin.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(pin => pin.ApprovedSha256).HasMaxLength(64).IsFixedLength();
        builder.Property(pin => pin.PendingSha256).HasMaxLength(64).IsFixedLength();
        builder.Property(pin => pin.ApprovedDefinition).IsOptionalJsonObject();
        builder.Property(pin => pin.PendingDefinition).IsOptionalJsonObject();
        builder.Property(pin => pin.ApprovedBy).HasMaxLength(256);
        builder.Property(pin => pin.Version).IsRowVersion();
        builder.HasIndex(pin => new { pin.RouteId, pin.Target, pin.Tool }).IsUnique();
        builder.HasOne(pin => pin.Route).WithMany()
            .HasForeignKey(pin => pin.RouteId).OnDelete(DeleteBehavior.Cascade);
    }
}
