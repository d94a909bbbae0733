using System.Text.Json;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class RoleBindingConfiguration : IEntityTypeConfiguration<RoleBinding>
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<RoleBinding> builder)
    {
        builder.ToTable("role_bindings");
        builder.Property(binding => binding.Name).HasMaxLength(Names.MaxLength);
        builder.Property(binding => binding.Description).HasMaxLength(1000);
        builder.Property(binding => binding.Subjects)
            .HasColumnType("jsonb")
            .HasConversion(
                subjects => JsonSerializer.Serialize(subjects, s_json),
                json => JsonSerializer.Deserialize<List<BindingSubject>>(json, s_json) ?? new List<BindingSubject>(),
                new ValueComparer<List<BindingSubject>>(
                    (left, right) => left!.SequenceEqual(right!),
                    subjects => subjects.Aggregate(0, (hash, subject) => HashCode.Combine(hash, subject)),
                    subjects => new List<BindingSubject>(subjects)));
        builder.Property(binding => binding.Version).IsRowVersion();
        builder.HasIndex(binding => new { binding.TenantId, binding.Name }).IsUnique();
        builder.HasOne(binding => binding.Tenant).WithMany()
            .HasForeignKey(binding => binding.TenantId).OnDelete(DeleteBehavior.Cascade);
        // A role in use cannot be deleted: the API answers 409 naming the bindings, and the database refuses too.
        builder.HasOne(binding => binding.Role).WithMany()
            .HasForeignKey(binding => binding.RoleId).OnDelete(DeleteBehavior.NoAction);
    }
}
