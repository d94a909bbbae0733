using System.Security.Cryptography;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Mcp;

/// <summary>Creates and rotates the keys that seal MCP session ids.</summary>
internal static class SessionKeys
{
    /// <summary>How many retired keys stay valid after a rotation, so ids sealed before it still open.</summary>
    public const int RetiredKeysKept = 2;

    /// <summary>Creates the first primary key if there is none.</summary>
    public static async Task EnsurePrimaryAsync(AdminDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await db.SessionKeys.AnyAsync(key => key.IsPrimary, cancellationToken))
        {
            return;
        }

        db.SessionKeys.Add(NewKey(timeProvider));
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another replica created it first.
        }
    }

    /// <summary>Makes a new key primary, keeps <see cref="RetiredKeysKept"/> older keys for opening and drops the rest.</summary>
    public static async Task<SessionKey> RotateAsync(AdminDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var keys = await db.SessionKeys.OrderByDescending(key => key.CreatedAt).ToListAsync(cancellationToken);
        foreach (var key in keys)
        {
            key.IsPrimary = false;
        }

        db.SessionKeys.RemoveRange(keys.Skip(RetiredKeysKept));
        // The demotion is written first: the unique index allows one primary at a time.
        await db.SaveChangesAsync(cancellationToken);
        var next = NewKey(timeProvider);
        db.SessionKeys.Add(next);
        await db.SaveChangesAsync(cancellationToken);
        await ConfigChanges.BumpRevisionAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return next;
    }

    private static SessionKey NewKey(TimeProvider timeProvider) => new()
    {
        Id = $"sk-{timeProvider.GetUtcNow():yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
        Material = RandomNumberGenerator.GetBytes(32),
        IsPrimary = true,
        CreatedAt = timeProvider.GetUtcNow(),
    };
}
