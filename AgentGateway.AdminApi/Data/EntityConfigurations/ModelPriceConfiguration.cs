using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class ModelPriceConfiguration : IEntityTypeConfiguration<ModelPrice>
{
    public void Configure(EntityTypeBuilder<ModelPrice> builder)
    {
        builder.ToTable("model_prices");
        builder.HasKey(price => price.Model);
        builder.Property(price => price.Model).HasMaxLength(256);
        builder.Property(price => price.InputPerMillion).HasPrecision(18, 6);
        builder.Property(price => price.OutputPerMillion).HasPrecision(18, 6);
        builder.Property(price => price.UpdatedBy).HasMaxLength(256);
        builder.Property(price => price.Version).IsRowVersion();
    }
}
