using System.Security.Cryptography;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Domain.Connections;

/// <summary>
/// How the queue of forgotten tokens is worked (<c>Connections:Revocation</c>): a server unreachable, or answering
/// 5xx, 408 or 429, is asked again after <see cref="FirstRetry"/>, twice as long each time up to
/// <see cref="LongestRetry"/>, and given up after <see cref="MaxAttempts"/> tries.
/// </summary>
internal sealed class TokenRevocationOptions
{
    public const string SectionName = "Connections:Revocation";

    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan LongestRetry { get; set; } = TimeSpan.FromHours(1);

    public int MaxAttempts { get; set; } = 10;
}

/// <summary>
/// Revokes the users' tokens the vault forgot without the users asking (<see cref="TokenRevocation"/>) at the
/// authorization servers that issued them (RFC 7009). Every replica works the queue: each takes a few revocations no
/// other replica holds (their rows locked, and skipped by the others), leases them while it asks the servers, and
/// forgets each once its server answered. A server unreachable or answering 5xx, 408 or 429 is asked again later,
/// waiting twice as long each time (<see cref="TokenRevocationOptions"/>: from 30 s up to an hour, ten tries); any other
/// answer ends it: RFC 7009 servers answer 200 for tokens already gone, and 4xx for what they will never revoke.
/// </summary>
internal sealed partial class TokenRevocationWorker(
    IServiceScopeFactory scopes,
    SecretProtector protector,
    IHttpClientFactory httpClientFactory,
    IOptions<TokenRevocationOptions> options,
    TimeProvider time,
    ILogger<TokenRevocationWorker> logger) : BackgroundService
{
    /// <summary>How often the queue is looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private const int Batch = 20;

    /// <summary>How long a replica holds the revocations it took: taken again by any replica after, were it to stop.</summary>
    private static readonly TimeSpan s_lease = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                while (await RevokeDueAsync(stoppingToken) == Batch)
                {
                    // A full batch: there may be more due.
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The database may be away; the next round tries again, and leased revocations come back after their lease.
                LogFailed(logger, exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Revokes up to a batch of the revocations due; how many it took.</summary>
    private async Task<int> RevokeDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
        var now = time.GetUtcNow();
        List<TokenRevocation> due;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            due = await db.TokenRevocations
                .FromSql($"SELECT * FROM token_revocations WHERE \"NotBefore\" <= {now} ORDER BY \"NotBefore\" LIMIT {Batch} FOR UPDATE SKIP LOCKED")
                .ToListAsync(cancellationToken);
            foreach (var revocation in due)
            {
                revocation.NotBefore = now + s_lease;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var client = httpClientFactory.CreateClient(UserTokenVault.HttpClientName);
        var settings = options.Value;
        foreach (var revocation in due)
        {
            if (await TryRevokeAsync(client, revocation, cancellationToken))
            {
                db.TokenRevocations.Remove(revocation);
            }
            else if (++revocation.Attempts >= settings.MaxAttempts)
            {
                LogGivenUp(logger, revocation.RevocationUrl, revocation.Attempts);
                db.TokenRevocations.Remove(revocation);
            }
            else
            {
                // Doubled in floating point and capped before it becomes a TimeSpan, so no schedule overflows.
                var wait = Math.Min(settings.FirstRetry.Ticks * Math.Pow(2, revocation.Attempts - 1), settings.LongestRetry.Ticks);
                revocation.NotBefore = time.GetUtcNow() + TimeSpan.FromTicks((long)wait);
            }
        }

        await db.SaveChangesAsync(CancellationToken.None);
        return due.Count;
    }

    /// <summary>Whether the revocation is over: the server answered, or it cannot be read. False when the server should be asked again.</summary>
    private async Task<bool> TryRevokeAsync(HttpClient client, TokenRevocation revocation, CancellationToken cancellationToken)
    {
        string token;
        string? secret;
        try
        {
            (token, secret) = UserTokenVault.Open(protector, revocation);
        }
        catch (CryptographicException exception)
        {
            LogUnreadable(logger, revocation.RevocationUrl, revocation.KeyId, exception.Message);
            return true;
        }

        if (await UserTokenVault.RevokeAsync(client, revocation.RevocationUrl, revocation.ClientId, secret, token, revocation.TokenTypeHint, cancellationToken) is not { } failure)
        {
            return true;
        }

        LogRefused(logger, revocation.RevocationUrl, failure.Reason);
        return !failure.WorthAskingAgain;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not work the token revocation queue: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revoking a forgotten user token at {RevocationUrl} failed: {Failure}")]
    private static partial void LogRefused(ILogger logger, string revocationUrl, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up revoking a forgotten user token at {RevocationUrl} after {Attempts} attempts")]
    private static partial void LogGivenUp(ILogger logger, string revocationUrl, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A forgotten user token for {RevocationUrl} under master key {KeyId} cannot be read ({Reason}): it is dropped unrevoked")]
    private static partial void LogUnreadable(ILogger logger, string revocationUrl, string keyId, string reason);
}
