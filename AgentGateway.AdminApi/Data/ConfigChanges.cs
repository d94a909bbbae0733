using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

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
        if (db.Database.CurrentTransaction is not null)
        {
            // Inside a transaction of the caller's (see BeginSerializedAsync), which commits it.
            await db.SaveChangesAsync(cancellationToken);
            return await BumpRevisionAsync(db, cancellationToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var revision = await BumpRevisionAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return revision;
    }

    /// <summary>
    /// Begins a transaction that holds the config revision's row lock from the start, so the checks a change makes
    /// before it is written (a host no other tenant holds, a match no other route has) see every change committed
    /// before it and none can slip in between. Config changes are rare; waiting for one another is cheap.
    /// A change made inside a larger one (a whole tenant's config applied at once) joins its transaction, which its
    /// caller commits or rolls back.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginSerializedAsync(this AdminDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is { } outer)
        {
            return new JoinedTransaction(outer.TransactionId);
        }

        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM config_revisions WHERE \"Id\" = {ConfigRevision.SingletonId} FOR UPDATE", cancellationToken);
        return transaction;
    }

    /// <summary>Bumps the config revision and queues the notification, inside the caller's transaction.</summary>
    public static async Task<long> BumpRevisionAsync(AdminDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var revisions = await db.Database
            .SqlQuery<long>($"UPDATE config_revisions SET \"Revision\" = \"Revision\" + 1 WHERE \"Id\" = {ConfigRevision.SingletonId} RETURNING \"Revision\" AS \"Value\"")
            .ToListAsync(cancellationToken);
        var revision = revisions.Single();
        // The payload says which tenants' config changed ("{revision}:{tenant,...}" or "{revision}:*").
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {db.ConfigScope.TakePayload(revision)})", cancellationToken);
        return revision;
    }

    /// <summary>A change's part of its caller's transaction: committing or ending it is the caller's.</summary>
    private sealed class JoinedTransaction(Guid id) : IDbContextTransaction
    {
        public Guid TransactionId => id;

        public void Commit()
        {
        }

        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public void Rollback()
        {
        }

        public Task RollbackAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
