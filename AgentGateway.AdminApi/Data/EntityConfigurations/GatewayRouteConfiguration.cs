using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies.Kinds;
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
        builder.Property(route => route.Kind).HasMaxLength(10).HasDefaultValue(RouteKinds.Mcp).HasSentinel(RouteKinds.Mcp);
        builder.Property(route => route.PathPrefix).HasMaxLength(512);
        builder.Property(route => route.PathRegex).HasMaxLength(1024);
        builder.Property(route => route.Conditions).IsOptionalJsonObject();
        builder.Property(route => route.Http).IsOptionalJsonObject();
        builder.Property(route => route.Llm).IsOptionalJsonObject();
        builder.Property(route => route.MatchKey).HasMaxLength(64);
        builder.HasIndex(route => route.Path);
        builder.HasIndex(route => route.MatchKey).IsUnique();
        builder.HasOne(route => route.Agent).WithMany()
            .HasForeignKey(route => route.AgentId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne(route => route.Tenant).WithMany()
            .HasForeignKey(route => route.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
