using System.Text.Json;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

internal sealed class McpServerConfiguration : IEntityTypeConfiguration<McpServer>
{
    public void Configure(EntityTypeBuilder<McpServer> builder)
    {
        builder.ToTable("mcp_servers");
        builder.Property(server => server.Name).HasMaxLength(Names.MaxLength);
        builder.Property(server => server.Description).HasMaxLength(1000);
        builder.Property(server => server.Transport).HasMaxLength(40);
        builder.Property(server => server.Url).HasMaxLength(2048);
        builder.Property(server => server.Headers)
            .HasColumnType("jsonb")
            .HasConversion(
                headers => JsonSerializer.Serialize(headers, JsonSerializerOptions.Default),
                json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, JsonSerializerOptions.Default) ?? new Dictionary<string, string>(),
                new ValueComparer<Dictionary<string, string>>(
                    (left, right) => left!.Count == right!.Count && !left.Except(right).Any(),
                    headers => headers.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                    headers => new Dictionary<string, string>(headers)));
        builder.Property(server => server.Command).HasMaxLength(1024);
        builder.Property(server => server.WorkingDirectory).HasMaxLength(1024);
        builder.Property(server => server.Args)
            .HasColumnType("jsonb")
            .HasConversion(
                args => JsonSerializer.Serialize(args, JsonSerializerOptions.Default),
                json => JsonSerializer.Deserialize<List<string>>(json, JsonSerializerOptions.Default) ?? new List<string>(),
                new ValueComparer<List<string>>(
                    (left, right) => left!.SequenceEqual(right!),
                    args => args.Aggregate(0, (hash, arg) => HashCode.Combine(hash, arg)),
                    args => new List<string>(args)));
        builder.Property(server => server.Env)
            .HasColumnType("jsonb")
            .HasConversion(
                env => JsonSerializer.Serialize(env, JsonSerializerOptions.Default),
                json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, JsonSerializerOptions.Default) ?? new Dictionary<string, string>(),
                new ValueComparer<Dictionary<string, string>>(
                    (left, right) => left!.Count == right!.Count && !left.Except(right).Any(),
                    env => env.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                    env => new Dictionary<string, string>(env)));
        builder.Property(server => server.Version).IsRowVersion();
        builder.HasIndex(server => new { server.TenantId, server.Name }).IsUnique();
        builder.HasOne(server => server.Tenant).WithMany()
            .HasForeignKey(server => server.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
