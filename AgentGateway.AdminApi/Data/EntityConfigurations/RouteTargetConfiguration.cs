using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class RouteTargetConfiguration : IEntityTypeConfiguration<RouteTarget>
{
    public void Configure(EntityTypeBuilder<RouteTarget> builder)
    {
        builder.ToTable("route_targets");
        builder.HasKey(target => new { target.RouteId, target.McpServerId });
        builder.HasOne(target => target.Route).WithMany(route => route.Targets)
            .HasForeignKey(target => target.RouteId).OnDelete(DeleteBehavior.Cascade);
        // A server in use cannot be deleted: the API answers 409 naming the routes, and the database refuses too.
        builder.HasOne(target => target.McpServer).WithMany()
            .HasForeignKey(target => target.McpServerId).OnDelete(DeleteBehavior.NoAction);
    }
}
