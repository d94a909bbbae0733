using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class EgressAllowRuleConfiguration : IEntityTypeConfiguration<EgressAllowRule>
{
    public void Configure(EntityTypeBuilder<EgressAllowRule> builder)
    {
        builder.ToTable("egress_allow_rules");
        builder.Property(rule => rule.Cidr).HasMaxLength(64);
        builder.Property(rule => rule.Host).HasMaxLength(253);
        builder.Property(rule => rule.Description).HasMaxLength(1000);
        builder.Property(rule => rule.CreatedBy).HasMaxLength(256);
        builder.ToTable(table => table.HasCheckConstraint("CK_egress_allow_rules_cidr_or_host", "(\"Cidr\" IS NULL) <> (\"Host\" IS NULL)"));
    }
}
