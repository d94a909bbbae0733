using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class GatewayRouteConfiguration : IEntityTypeConfiguration<GatewayRoute>
{
    public void Configure(EntityTypeBuilder<GatewayRoute> builder)
    {
        builder.ToTable("routes");
        builder.Property(route => route.Name).HasMaxLength(Names.MaxLength);
        builder.Property(route => route.Path).HasMaxLength(512);
        builder.Property(route => route.PrefixMode).HasConversion<string>().HasMaxLength(20);
        builder.Property(route => route.FailureMode).HasConversion<string>().HasMaxLength(20).HasDefaultValue(FailureModeSetting.Open).HasSentinel(FailureModeSetting.Open);
        builder.Property(route => route.ToolPinning).HasConversion<string>().HasMaxLength(20).HasDefaultValue(ToolPinningSetting.Withhold).HasSentinel(ToolPinningSetting.Withhold);
        builder.Property(route => route.Version).IsRowVersion();
        builder.HasIndex(route => new { route.TenantId, route.Name }).IsUnique();
        builder.HasIndex(route => route.Path).IsUnique();
        builder.HasOne(route => route.Tenant).WithMany()
            .HasForeignKey(route => route.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
