using System.Security.Cryptography;
using AgentGateway.AdminApi.Data;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Secrets;

/// <summary>
/// After a master key rotation, re-encrypts at startup every secret still under a previous key (users' kept OAuth tokens: <c>UserTokenVault.ReencryptAllAsync</c>), so that the previous
/// key can be removed from <c>Secrets:PreviousMasterKeys</c> once this has run. The values do not change, so proxies
/// are not told.
/// </summary>
internal sealed partial class SecretReencryption(SecretProtector protector, ILogger<SecretReencryption> logger)
{
    public async Task RunAsync(AdminDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var stale = await db.Secrets.Where(secret => secret.KeyId != protector.CurrentKeyId).ToListAsync(cancellationToken);
        if (stale.Count == 0)
        {
            return;
        }

        var reencrypted = 0;
        foreach (var secret in stale)
        {
            try
            {
                var value = protector.Decrypt(secret.TenantId, secret.Name, secret.KeyId, secret.Ciphertext);
                secret.Ciphertext = protector.Encrypt(secret.TenantId, secret.Name, value);
                secret.KeyId = protector.CurrentKeyId;
                reencrypted++;
            }
            catch (CryptographicException exception)
            {
                LogUnreadable(logger, secret.Name, secret.KeyId, exception.Message);
                db.Entry(secret).State = EntityState.Unchanged;
            }
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            LogReencrypted(logger, reencrypted, protector.CurrentKeyId);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another replica re-encrypted them first.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-encrypted {Count} secrets with master key {KeyId}; previous master keys are no longer needed for them")]
    private static partial void LogReencrypted(ILogger logger, int count, string keyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Secret {Name} cannot be decrypted (master key {KeyId}): {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string name, string keyId, string reason);
}
