using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Data;

internal sealed class AdminDbContext : DbContext
{
    public AdminDbContext(DbContextOptions<AdminDbContext> options)
        : base(options)
    {
        SavingChanges += (_, _) => ConfigScope.Collect(ChangeTracker);
    }

    /// <summary>What the changes saved since the last config revision bump touch (see <see cref="ConfigChanges"/>).</summary>
    public ConfigChangeScope ConfigScope { get; } = new();

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<TenantMember> TenantMembers => Set<TenantMember>();

    public DbSet<McpServer> McpServers => Set<McpServer>();

    public DbSet<GatewayRoute> Routes => Set<GatewayRoute>();

    public DbSet<RouteTarget> RouteTargets => Set<RouteTarget>();

    public DbSet<ConfigRevision> ConfigRevisions => Set<ConfigRevision>();

    public DbSet<SessionKey> SessionKeys => Set<SessionKey>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Secret> Secrets => Set<Secret>();

    public DbSet<Policy> Policies => Set<Policy>();

    public DbSet<EgressAllowRule> EgressAllowRules => Set<EgressAllowRule>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<AuthorizationRole> AuthorizationRoles => Set<AuthorizationRole>();

    public DbSet<RoleBinding> RoleBindings => Set<RoleBinding>();

    public DbSet<ToolPin> ToolPins => Set<ToolPin>();

    public DbSet<Agent> Agents => Set<Agent>();

    public DbSet<LlmProvider> LlmProviders => Set<LlmProvider>();

    public DbSet<LlmUsageEntry> LlmUsage => Set<LlmUsageEntry>();

    public DbSet<CallRecordEntry> CallRecords => Set<CallRecordEntry>();

    public DbSet<ModelPrice> ModelPrices => Set<ModelPrice>();

    public DbSet<HostClaim> HostClaims => Set<HostClaim>();

    public DbSet<UserConnection> UserConnections => Set<UserConnection>();

    public DbSet<TokenRevocation> TokenRevocations => Set<TokenRevocation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AdminDbContext).Assembly);
}
