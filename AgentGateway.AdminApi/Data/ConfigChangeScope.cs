using System.Globalization;
using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace AgentGateway.AdminApi.Data;

/// <summary>
/// Which part of the proxies' config the changes saved since the last revision bump touch: some tenants' (a route,
/// policy, secret, key... carries its tenant), or everything (session keys, the egress allowlist, host grants, or a
/// change whose tenant cannot be told). Carried in the change notification, so each control plane rebuilds only what
/// changed.
/// </summary>
internal sealed class ConfigChangeScope
{
    /// <summary>Above this many tenants a notification says "everything" (a notification's payload is bounded).</summary>
    public const int MaxTenants = 100;

    /// <summary>The payload's word for every tenant.</summary>
    public const string Everything = "*";

    private readonly HashSet<Guid> _tenants = [];
    private bool _everything;

    /// <summary>Notes what the changes about to be saved touch.</summary>
    public void Collect(ChangeTracker tracker)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        foreach (var entry in tracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            switch (entry.Entity)
            {
                case AuditEntry or ConfigRevision or LlmUsageEntry or CallRecordEntry:
                    // Records, not config.
                    break;
                case HostClaim or EgressAllowRule or SessionKey:
                    // Shared by every tenant's routes (grants are checked against all of them).
                    _everything = true;
                    break;
                case Tenant tenant:
                    _tenants.Add(tenant.Id);
                    break;
                case RouteTarget target:
                    if (tracker.Entries<GatewayRoute>().FirstOrDefault(route => route.Entity.Id == target.RouteId) is { } owner)
                    {
                        _tenants.Add(owner.Entity.TenantId);
                    }
                    else
                    {
                        _everything = true;
                    }

                    break;
                default:
                    CollectTenantOf(entry);
                    break;
            }
        }
    }

    /// <summary>The notification's payload for <paramref name="revision"/>, and a fresh start for the next.</summary>
    public string TakePayload(long revision)
    {
        var scope = _everything || _tenants.Count is 0 or > MaxTenants
            ? Everything
            : string.Join(',', _tenants.Select(tenant => tenant.ToString("N")));
        _tenants.Clear();
        _everything = false;
        return revision.ToString(CultureInfo.InvariantCulture) + ":" + scope;
    }

    /// <summary>Reads a payload: its revision and tenants, or null tenants for everything (also for a payload it cannot read).</summary>
    public static (long? Revision, IReadOnlySet<Guid>? Tenants) Parse(string? payload)
    {
        if (payload?.Split(':', 2) is not [var revisionText, var scope]
            || !long.TryParse(revisionText, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            return (null, null);
        }

        if (scope == Everything)
        {
            return (revision, null);
        }

        var tenants = new HashSet<Guid>();
        foreach (var part in scope.Split(','))
        {
            if (!Guid.TryParseExact(part, "N", out var tenant))
            {
                return (revision, null);
            }

            tenants.Add(tenant);
        }

        return (revision, tenants);
    }

    private void CollectTenantOf(EntityEntry entry)
    {
        if (entry.Metadata.FindProperty(nameof(GatewayRoute.TenantId)) is null)
        {
            _everything = true;
            return;
        }

        var property = entry.Property(nameof(GatewayRoute.TenantId));
        Note(property.CurrentValue);
        if (entry.State == EntityState.Modified)
        {
            // Moved from one tenant to another: both change.
            Note(property.OriginalValue);
        }

        void Note(object? value)
        {
            if (value is Guid tenant)
            {
                _tenants.Add(tenant);
            }
            else
            {
                _everything = true;
            }
        }
    }
}
