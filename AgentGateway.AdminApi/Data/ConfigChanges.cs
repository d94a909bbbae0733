using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Data;

/// <summary>
/// Commits a config change: the entity changes, the revision bump and the notification to every AdminApi replica
/// in one transaction. Postgres delivers <c>NOTIFY</c> only on commit, so proxies never hear of a change that did
/// not happen, and a failed request writes nothing.
/// </summary>
internal static class ConfigChanges
{
    public const string Channel = "agentgateway_config";

    public static async Task<long> SaveConfigChangesAsync(this AdminDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var revision = await BumpRevisionAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return revision;
    }

    /// <summary>Bumps the config revision and queues the notification, inside the caller's transaction.</summary>
    public static async Task<long> BumpRevisionAsync(AdminDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var revisions = await db.Database
            .SqlQuery<long>($"UPDATE config_revisions SET \"Revision\" = \"Revision\" + 1 WHERE \"Id\" = {ConfigRevision.SingletonId} RETURNING \"Revision\" AS \"Value\"")
            .ToListAsync(cancellationToken);
        var revision = revisions.Single();
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {revision.ToString(System.Globalization.CultureInfo.InvariantCulture)})", cancellationToken);
        return revision;
    }
}
