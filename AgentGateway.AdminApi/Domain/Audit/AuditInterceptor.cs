using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentGateway.AdminApi.Domain.Audit;

/// <summary>
/// Records every change to the platform's configuration in the audit log, in the same save — and so the same
/// transaction — as the change itself: nothing is changed unrecorded, and nothing is recorded that did not happen.
/// Secret values (session key material, tenant secrets, stdio environment values, header values) are never written to it.
/// </summary>
internal sealed class AuditInterceptor(IHttpContextAccessor httpContextAccessor, TimeProvider timeProvider) : SaveChangesInterceptor
{
    private const string Redacted = "(redacted)";

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is DbContext context)
        {
            Record(context);
        }

        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is DbContext context)
        {
            Record(context);
        }

        return base.SavingChanges(eventData, result);
    }

    private void Record(DbContext context)
    {
        var http = httpContextAccessor.HttpContext;
        var actor = http?.User.Identity?.IsAuthenticated == true ? Caller.From(http.User).Username : "system";
        var requestId = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http?.TraceIdentifier;
        var now = timeProvider.GetUtcNow();
        var entries = new List<AuditEntry>();
        var routesTouched = new HashSet<GatewayRoute>();
        var audited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var entry in context.ChangeTracker.Entries().ToList())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            if (entry.Entity is RouteTarget target)
            {
                // A route's targets are part of the route: the route's entry shows them before and after.
                var owner = target.Route ?? context.ChangeTracker.Entries<GatewayRoute>().Select(route => route.Entity).FirstOrDefault(route => route.Id == target.RouteId);
                if (owner is not null)
                {
                    routesTouched.Add(owner);
                }

                continue;
            }

            if (entry.Entity is UserConnection && entry.State == EntityState.Modified)
            {
                // A refreshed token: the connection is the same one, recorded when made and when removed.
                continue;
            }

            if (Describe(entry) is { } described)
            {
                audited.Add(entry.Entity);
                entries.Add(Entry(entry, described, actor, requestId, now, context));
            }
        }

        foreach (var route in routesTouched.Where(route => !audited.Contains(route)))
        {
            // Only the route's targets changed.
            var entry = context.Entry(route);
            entries.Add(Entry(entry, Describe(entry)!.Value, actor, requestId, now, context, forceUpdate: true));
        }

        context.Set<AuditEntry>().AddRange(entries);
    }

    private static AuditEntry Entry(
        EntityEntry entry, (string Type, string Name, Guid? TenantId) described, string actor, string? requestId, DateTimeOffset now, DbContext context, bool forceUpdate = false)
    {
        var action = forceUpdate ? AuditNames.Updated : entry.State switch
        {
            EntityState.Added => AuditNames.Created,
            EntityState.Deleted => AuditNames.Deleted,
            _ => AuditNames.Updated,
        };

        return new AuditEntry
        {
            Id = Guid.CreateVersion7(now),
            OccurredAt = now,
            Actor = actor,
            TenantId = described.TenantId,
            Action = action,
            EntityType = described.Type,
            EntityName = described.Name,
            Before = action == AuditNames.Created ? null : Values(entry, original: true, context),
            After = action == AuditNames.Deleted ? null : Values(entry, original: false, context),
            RequestId = requestId,
        };
    }

    /// <summary>The kind (one of <see cref="AuditNames.EntityTypes"/>), name and tenant of an audited entity; null for what is not audited.</summary>
    private static (string Type, string Name, Guid? TenantId)? Describe(EntityEntry entry) => entry.Entity switch
    {
        Tenant tenant => ("tenant", tenant.Name, tenant.Id),
        TenantMember member => ("member", member.Username, member.TenantId),
        McpServer server => ("mcp-server", server.Name, server.TenantId),
        GatewayRoute route => ("route", route.Name, route.TenantId),
        Agent agent => ("agent", agent.Name, agent.TenantId),
        LlmProvider provider => ("llm-provider", provider.Name, provider.TenantId),
        ModelPrice price => ("model-price", price.Model, null),
        SessionKey key => ("session-key", key.Id, null),
        Secret secret => ("secret", secret.Name, secret.TenantId),
        Policy policy => ("policy", policy.Name, policy.TenantId),
        ApiKey key => ("api-key", key.Name, key.TenantId),
        AuthorizationRole role => ("role", role.Name, role.TenantId),
        RoleBinding binding => ("role-binding", binding.Name, binding.TenantId),
        ToolPin pin => ("tool-pin", $"{pin.Route?.Name}/{pin.Target}/{pin.Tool}", pin.TenantId),
        EgressAllowRule rule => ("egress-allow-rule", rule.Host ?? rule.Cidr ?? rule.Id.ToString(), null),
        HostClaim claim => ("host-claim", claim.Host, claim.TenantId),
        UserConnection connection => ("user-connection", $"{connection.Policy}/{connection.Username}", connection.TenantId),
        _ => null,
    };

    private static JsonObject Values(EntityEntry entry, bool original, DbContext context)
    {
        var values = new JsonObject();
        foreach (var property in entry.Properties)
        {
            var name = property.Metadata.Name;
            if (name is "Version" or "Id" or "TenantId" || property.Metadata.IsShadowProperty())
            {
                continue;
            }

            var value = original ? property.OriginalValue : property.CurrentValue;
            values[ToCamelCase(name)] = (entry.Entity, name) switch
            {
                (SessionKey, "Material") => Redacted,
                (Secret, "Ciphertext") => Redacted,
                (ApiKey, "Sha256") => Redacted,
                (UserConnection, "AccessToken" or "RefreshToken") => value is null ? null : Redacted,
                (McpServer, "Env") when value is Dictionary<string, string> env => new JsonArray([.. env.Keys.Order(StringComparer.Ordinal).Select(key => (JsonNode)key)]),
                (McpServer, "Headers") when value is Dictionary<string, string> headers => new JsonObject(headers.Select(header => KeyValuePair.Create(header.Key, (JsonNode?)Redacted))),
                _ => JsonSerializer.SerializeToNode(value is Enum ? value.ToString()!.ToLowerInvariant() : value),
            };
        }

        if (entry.Entity is GatewayRoute route)
        {
            values["targets"] = new JsonArray([.. RouteTargets(context, route, original).Select(name => (JsonNode)name)]);
        }

        return values;
    }

    /// <summary>The names of a route's targets before or after the pending change, in order.</summary>
    private static IEnumerable<string> RouteTargets(DbContext context, GatewayRoute route, bool original) =>
        context.ChangeTracker.Entries<RouteTarget>()
            .Where(target => target.Entity.RouteId == route.Id || ReferenceEquals(target.Entity.Route, route))
            .Where(target => original ? target.State is EntityState.Unchanged or EntityState.Modified or EntityState.Deleted : target.State is not EntityState.Deleted)
            .OrderBy(target => target.Entity.Position)
            .Select(target => target.Entity.McpServer?.Name ?? target.Entity.McpServerId.ToString());

    private static string ToCamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
