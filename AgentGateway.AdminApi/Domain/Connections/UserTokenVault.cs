using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Secrets;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Domain.Connections;

/// <summary>
/// The token vault: end users' own OAuth 2.0 authorizations of the backends a tenant's <c>userOauth</c> backend-auth
/// policies name. A user starts an authorization (code flow with PKCE; the state, sealed under the master key, binds it
/// to the user, tenant and policy and expires), completes it with the code the authorization server sent back, and the
/// tokens are kept encrypted, bound to the tenant, policy and user. Proxies ask for a user's access token, which is
/// refreshed first when it is about to expire; a user disconnecting revokes the tokens at the server, when it has a
/// revocation endpoint, and forgets them.
/// </summary>
internal sealed partial class UserTokenVault(
    AdminDbContext db,
    SecretProtector protector,
    IHttpClientFactory httpClientFactory,
    IOptions<PortalOptions> portal,
    TimeProvider time,
    ILogger<UserTokenVault> logger)
{
    public const string HttpClientName = "user-oauth";

    /// <summary>How long a started authorization may take.</summary>
    public static readonly TimeSpan AuthorizationLifetime = TimeSpan.FromMinutes(10);

    /// <summary>How long before its expiry an access token is refreshed.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    /// <summary>How long a refresh that failed for another reason than a refused grant is not tried again.</summary>
    public static readonly TimeSpan RefreshBackoff = TimeSpan.FromSeconds(30);

    private const string StateName = "user-oauth-state";

    /// <summary>The most seconds an <c>expires_in</c> is taken at (ten years).</summary>
    private const long MaxExpiresIn = 315_360_000;

    /// <summary>When a connection's refresh last failed for another reason than a refused grant, by connection (this replica's).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, DateTimeOffset> s_failedRefreshes = new();

    /// <summary>A user's name for the gateway's callers: <c>jwt:{issuer}|{sub}</c>, as proxies name the callers they authenticate.</summary>
    public static string? SubjectOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var sub = user.FindFirst("sub") ?? user.FindFirst(ClaimTypes.NameIdentifier);
        var issuer = user.FindFirstValue("iss") ?? sub?.Issuer;
        return sub is null || string.IsNullOrEmpty(issuer) ? null : $"jwt:{issuer}|{sub.Value}";
    }

    /// <summary>
    /// The policy's user OAuth spec, or why there is none to authorize. Any signed-in user may authorize a tenant's backend
    /// for themselves (the users of a tenant's routes need not be its members), so a policy that does not exist and one
    /// that is not user OAuth get the same answer: nothing else of the tenant's policies is told.
    /// </summary>
    public async Task<(UserOAuth? Spec, VaultRefusal? Refusal)> SpecAsync(string tenant, string policy, CancellationToken cancellationToken)
    {
        var stored = await db.Policies.AsNoTracking()
            .SingleOrDefaultAsync(candidate => candidate.Tenant!.Name == tenant && candidate.Name == policy && candidate.Kind == PolicyKinds.BackendAuth, cancellationToken);
        return stored is not null && ParsedPolicy.From(stored)?.Spec is BackendAuth { UserOauth: { } spec }
            ? (spec, null)
            : (null, new VaultRefusal(StatusCodes.Status404NotFound, $"Tenant '{tenant}' has no policy '{policy}' that users authorize for themselves (backend-auth with userOauth)."));
    }

    /// <summary>Where the user's browser goes to authorize: the authorization endpoint with PKCE and a sealed state.</summary>
    public async Task<(Uri? Url, VaultRefusal? Refusal)> BeginAsync(string tenant, string policy, string subject, CancellationToken cancellationToken)
    {
        var (spec, refusal) = await SpecAsync(tenant, policy, cancellationToken);
        if (spec is null)
        {
            return (null, refusal);
        }

        var redirect = spec.RedirectUri.Length > 0 ? spec.RedirectUri : portal.Value.Callback(tenant, policy);
        if (redirect is null)
        {
            return (null, new VaultRefusal(StatusCodes.Status400BadRequest,
                $"Policy '{policy}' names no redirectUri and the control plane knows no Portal (Portal:PublicUrl) to send the user back to."));
        }

        if (portal.Value.IsCallback(redirect) && redirect != portal.Value.Callback(tenant, policy))
        {
            // Another policy's page: its client (and the name users see at the authorization server) is not this one's.
            return (null, new VaultRefusal(StatusCodes.Status400BadRequest,
                $"Policy '{policy}' names the Portal page of another policy as its redirectUri; leave it empty to take its own ({portal.Value.Callback(tenant, policy)})."));
        }

        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var state = new AuthorizationState(tenant, policy, subject, verifier, redirect, time.GetUtcNow().Add(AuthorizationLifetime).ToUnixTimeSeconds());
        var sealedState = Base64Url.EncodeToString(protector.Encrypt(Guid.Empty, StateName, JsonSerializer.Serialize(state, AuthorizationStateJson.Default.AuthorizationState)));
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = spec.ClientId,
            ["redirect_uri"] = redirect,
            ["state"] = sealedState,
            ["code_challenge"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
        };
        if (spec.Scopes.Count > 0)
        {
            query["scope"] = string.Join(' ', spec.Scopes);
        }

        if (spec.Resource.Length > 0)
        {
            query["resource"] = spec.Resource;
        }

        var separator = spec.AuthorizationUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return (new Uri(spec.AuthorizationUrl + separator + string.Join('&', query.Select(pair => $"{pair.Key}={Uri.EscapeDataString(pair.Value)}"))), null);
    }

    /// <summary>
    /// Completes an authorization the same user started: the code traded for tokens at the token endpoint (with the PKCE
    /// verifier), which are kept, replacing the user's earlier ones for the policy.
    /// </summary>
    public async Task<(UserConnection? Connection, VaultRefusal? Refusal)> CompleteAsync(
        string code, string state, string subject, string username, CancellationToken cancellationToken)
    {
        if (Unseal(state) is not { } started || started.ExpiresAt < time.GetUtcNow().ToUnixTimeSeconds())
        {
            return (null, new VaultRefusal(StatusCodes.Status400BadRequest, "The authorization's state is not one this gateway started, or it has expired: start again."));
        }

        if (!string.Equals(started.Subject, subject, StringComparison.Ordinal))
        {
            // Someone else's authorization: completing it would give that user this one's account, or the reverse.
            return (null, new VaultRefusal(StatusCodes.Status403Forbidden, "The authorization was started by another user: each user completes their own."));
        }

        var (spec, refusal) = await SpecAsync(started.Tenant, started.Policy, cancellationToken);
        if (spec is null)
        {
            return (null, refusal);
        }

        if (await db.Tenants.SingleOrDefaultAsync(tenant => tenant.Name == started.Tenant, cancellationToken) is not { } owner)
        {
            return (null, new VaultRefusal(StatusCodes.Status404NotFound, $"Tenant '{started.Tenant}' no longer exists."));
        }

        var tenantId = owner.Id;
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = started.RedirectUri,
            ["code_verifier"] = started.Verifier,
        };
        if (spec.Resource.Length > 0)
        {
            form["resource"] = spec.Resource;
        }

        var answer = await RequestTokensAsync(tenantId, spec, form, cancellationToken);
        if (answer.Tokens is not { } tokens)
        {
            // A code the server refuses (used, expired, another client's) is the caller's to retry; a server down is not.
            return (null, new VaultRefusal(answer.Refused ? StatusCodes.Status400BadRequest : StatusCodes.Status502BadGateway, answer.Failure!));
        }

        var connection = await db.UserConnections.SingleOrDefaultAsync(
            candidate => candidate.TenantId == tenantId && candidate.Policy == started.Policy && candidate.Subject == subject, cancellationToken);
        var now = time.GetUtcNow();
        if (connection is null)
        {
            connection = new UserConnection
            {
                Id = Guid.CreateVersion7(now),
                TenantId = tenantId,
                Policy = started.Policy,
                Subject = subject,
                Username = username,
                AccessToken = [],
                KeyId = protector.CurrentKeyId,
                CreatedAt = now,
            };
            db.UserConnections.Add(connection);
        }

        connection.Username = username;
        connection.Tenant = owner;
        Keep(connection, tokens, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception) || exception is DbUpdateConcurrencyException)
        {
            return (null, new VaultRefusal(StatusCodes.Status409Conflict, "This authorization was completed at the same time elsewhere: see your connections."));
        }

        LogConnected(logger, started.Tenant, started.Policy, subject);
        return (connection, null);
    }

    /// <summary>
    /// A user's access token for a proxy: null when they have not authorized, or when the token has expired and cannot be
    /// refreshed. An authorization the server no longer honours (<c>invalid_grant</c>) is forgotten, so the user is asked
    /// again; one that fails for another reason (the server down, the client misconfigured) is kept, and not tried again
    /// for <see cref="RefreshBackoff"/>.
    /// </summary>
    public async Task<(string Token, DateTimeOffset? ExpiresAt)?> AccessTokenAsync(string tenant, string policy, string subject, CancellationToken cancellationToken)
    {
        var connection = await db.UserConnections.AsNoTracking()
            .SingleOrDefaultAsync(candidate => candidate.Tenant!.Name == tenant && candidate.Policy == policy && candidate.Subject == subject, cancellationToken);
        if (connection is null)
        {
            return null;
        }

        if (!NeedsRefresh(connection) || RecentlyFailed(connection))
        {
            return Current(connection);
        }

        // One refresh at a time, across replicas: a rotated refresh token works once, and a second refresh with it would
        // be refused and lose the user's authorization. Whoever waited finds the token refreshed. Once the server is
        // asked, the answer is kept whether or not the proxy still waits for it (a rotated refresh token lost is the
        // authorization lost).
        var (spec, _) = await SpecAsync(tenant, policy, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = (await db.UserConnections.FromSql($"SELECT *, xmin FROM user_connections WHERE \"Id\" = {connection.Id} FOR UPDATE").ToListAsync(cancellationToken))
            .SingleOrDefault();
        if (locked is null || !NeedsRefresh(locked))
        {
            return locked is null ? null : Current(locked);
        }

        var now = time.GetUtcNow();
        if (spec is not null && locked.RefreshToken is { } sealedRefresh && TryDecrypt(locked, "refresh", sealedRefresh) is { } refreshToken)
        {
            var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
            if (spec.Scopes.Count > 0)
            {
                form["scope"] = string.Join(' ', spec.Scopes);
            }

            var answer = await RequestTokensAsync(locked.TenantId, spec, form, CancellationToken.None);
            if (answer.Tokens is { } tokens)
            {
                Keep(locked, tokens with { RefreshToken = tokens.RefreshToken ?? refreshToken }, now);
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
                s_failedRefreshes.TryRemove(locked.Id, out _);
                return (tokens.AccessToken, locked.ExpiresAt);
            }

            LogRefreshFailed(logger, tenant, policy, subject, answer.Failure!);
            s_failedRefreshes[locked.Id] = now;
            if (!answer.GrantRefused)
            {
                return Current(locked);
            }
        }

        if (locked.ExpiresAt > now)
        {
            return Current(locked);
        }

        // Expired, and the server will not refresh it: the user is asked to authorize again.
        s_failedRefreshes.TryRemove(locked.Id, out _);
        db.UserConnections.Remove(locked);
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return null;
    }

    private bool NeedsRefresh(UserConnection connection) =>
        connection.ExpiresAt is { } expiresAt && expiresAt - RefreshMargin <= time.GetUtcNow();

    private bool RecentlyFailed(UserConnection connection) =>
        s_failedRefreshes.TryGetValue(connection.Id, out var failedAt) && time.GetUtcNow() - failedAt < RefreshBackoff;

    /// <summary>The connection's access token while it has not expired; null once it has, or when it cannot be decrypted.</summary>
    private (string Token, DateTimeOffset? ExpiresAt)? Current(UserConnection connection) =>
        connection.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow() ? null
        : TryDecrypt(connection, "access", connection.AccessToken) is { } token ? (token, connection.ExpiresAt)
        : null;

    /// <summary>Forgets a connection, revoking its tokens first where the policy names a revocation endpoint (best effort).</summary>
    public async Task DisconnectAsync(UserConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var tenant = connection.Tenant?.Name ?? await db.Tenants.Where(candidate => candidate.Id == connection.TenantId).Select(candidate => candidate.Name).SingleAsync(cancellationToken);
        var (spec, _) = await SpecAsync(tenant, connection.Policy, cancellationToken);
        if (spec is { RevocationUrl.Length: > 0 })
        {
            var secret = await ClientSecretAsync(connection.TenantId, spec, cancellationToken);
            foreach (var (token, hint) in Tokens(connection))
            {
                if (await RevokeAsync(httpClientFactory.CreateClient(HttpClientName), spec.RevocationUrl, spec.ClientId, secret, token, hint, cancellationToken) is { } failure)
                {
                    LogRevocationFailed(logger, tenant, connection.Policy, failure.Reason);
                }
            }
        }

        db.UserConnections.Remove(connection);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Refreshed (or removed) meanwhile: whatever it holds now goes too.
            db.ChangeTracker.Clear();
            if (await db.UserConnections.SingleOrDefaultAsync(candidate => candidate.Id == connection.Id, cancellationToken) is { } current)
            {
                db.UserConnections.Remove(current);
                await db.SaveChangesAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Forgets the users' connections of a tenant's policy with the caller's next save. Where the policy
    /// (<paramref name="spec"/>, as it was) names a revocation endpoint, the same save queues their tokens for revocation
    /// (<see cref="TokenRevocation"/>): they are revoked once it commits, and never when it rolls back.
    /// </summary>
    public async Task ForgetAsync(Guid tenantId, string policy, UserOAuth? spec, CancellationToken cancellationToken)
    {
        var connections = await db.UserConnections.Where(connection => connection.TenantId == tenantId && connection.Policy == policy).ToListAsync(cancellationToken);
        db.UserConnections.RemoveRange(connections);
        if (spec is not { RevocationUrl.Length: > 0 } || connections.Count == 0)
        {
            return;
        }

        var secret = await ClientSecretAsync(tenantId, spec, cancellationToken);
        var now = time.GetUtcNow();
        foreach (var (token, hint) in connections.SelectMany(Tokens))
        {
            var revocation = new TokenRevocation
            {
                Id = Guid.CreateVersion7(now),
                TenantId = tenantId,
                RevocationUrl = spec.RevocationUrl,
                ClientId = spec.ClientId,
                Token = [],
                TokenTypeHint = hint,
                KeyId = string.Empty,
                NotBefore = now,
                CreatedAt = now,
            };
            // The token, the client secret and the key they are under.
            Seal(protector, revocation, token, secret);
            db.TokenRevocations.Add(revocation);
        }
    }

    /// <summary>Encrypts a queued revocation's token and client secret under the current master key, bound to it.</summary>
    internal static void Seal(SecretProtector protector, TokenRevocation revocation, string token, string? clientSecret)
    {
        revocation.KeyId = protector.CurrentKeyId;
        revocation.Token = protector.Encrypt(revocation.TenantId, RevocationName(revocation.Id, "token"), token);
        revocation.ClientSecret = clientSecret is null ? null : protector.Encrypt(revocation.TenantId, RevocationName(revocation.Id, "client-secret"), clientSecret);
    }

    /// <summary>A queued revocation's token and client secret; throws <see cref="CryptographicException"/> when they cannot be read.</summary>
    internal static (string Token, string? ClientSecret) Open(SecretProtector protector, TokenRevocation revocation) =>
        (protector.Decrypt(revocation.TenantId, RevocationName(revocation.Id, "token"), revocation.KeyId, revocation.Token),
         revocation.ClientSecret is { } sealedSecret ? protector.Decrypt(revocation.TenantId, RevocationName(revocation.Id, "client-secret"), revocation.KeyId, sealedSecret) : null);

    /// <summary>What a queued revocation's ciphertexts are bound to.</summary>
    private static string RevocationName(Guid id, string part) => $"token-revocation\n{id}\n{part}";

    /// <summary>A connection's readable tokens, the refresh token first (revoking it ends the grant), with their RFC 7009 hints.</summary>
    private IEnumerable<(string Token, string Hint)> Tokens(UserConnection connection)
    {
        foreach (var (kind, sealedToken, hint) in new[] { ("refresh", connection.RefreshToken, "refresh_token"), ("access", connection.AccessToken, "access_token") })
        {
            if (sealedToken is not null && TryDecrypt(connection, kind, sealedToken) is { } token)
            {
                yield return (token, hint);
            }
        }
    }

    /// <summary>
    /// Asks <paramref name="revocationUrl"/> to revoke <paramref name="token"/> (RFC 7009) as the client; why not, or null
    /// when it did. Asking again later is worth it when the server could not be reached or answered 5xx, 408 or 429;
    /// any other 4xx says it will not revoke the token.
    /// </summary>
    internal static async Task<RevocationFailure?> RevokeAsync(
        HttpClient client, string revocationUrl, string clientId, string? clientSecret, string token, string hint, CancellationToken cancellationToken)
    {
        using var request = ClientRequest(revocationUrl, clientId, clientSecret, new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = hint });
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? null : new RevocationFailure($"{status}", status >= 500 || status is 408 or 429);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new RevocationFailure(exception.Message, WorthAskingAgain: true);
        }
    }

    /// <summary>
    /// After a master key rotation, every user's tokens still under a previous key encrypted again under the current one
    /// (in a save of their own: a connection refreshed meanwhile already is), and so are the tokens queued for revocation.
    /// Unreadable ones are left for the user to authorize again.
    /// </summary>
    public async Task ReencryptAllAsync(CancellationToken cancellationToken)
    {
        var stale = await db.UserConnections.Where(connection => connection.KeyId != protector.CurrentKeyId).ToListAsync(cancellationToken);
        foreach (var connection in stale.Where(connection => !Reencrypt(connection)))
        {
            db.Entry(connection).State = EntityState.Unchanged;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Refreshed meanwhile, so under the current key already; another replica may have done the rest.
        }

        db.ChangeTracker.Clear();
        foreach (var revocation in await db.TokenRevocations.Where(revocation => revocation.KeyId != protector.CurrentKeyId).ToListAsync(cancellationToken))
        {
            try
            {
                var (token, secret) = Open(protector, revocation);
                Seal(protector, revocation, token, secret);
            }
            catch (CryptographicException exception)
            {
                // Left as it is: the revocation worker drops what it cannot read.
                LogUnreadable(logger, "(queued revocation)", revocation.KeyId, exception.Message);
            }
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Revoked meanwhile.
        }
    }

    private bool Reencrypt(UserConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (TryDecrypt(connection, "access", connection.AccessToken) is not { } access)
        {
            return false;
        }

        string? refresh = null;
        if (connection.RefreshToken is { } sealedRefresh && (refresh = TryDecrypt(connection, "refresh", sealedRefresh)) is null)
        {
            return false;
        }

        connection.KeyId = protector.CurrentKeyId;
        connection.AccessToken = protector.Encrypt(connection.TenantId, AssociatedName(connection, "access"), access);
        connection.RefreshToken = refresh is null ? null : protector.Encrypt(connection.TenantId, AssociatedName(connection, "refresh"), refresh);
        return true;
    }

    private AuthorizationState? Unseal(string state)
    {
        try
        {
            var bytes = Base64Url.DecodeFromChars(state);
            return JsonSerializer.Deserialize(protector.Decrypt(Guid.Empty, StateName, protector.CurrentKeyId, bytes), AuthorizationStateJson.Default.AuthorizationState);
        }
        catch (Exception exception) when (exception is FormatException or CryptographicException or JsonException)
        {
            return null;
        }
    }

    private void Keep(UserConnection connection, TokenAnswer tokens, DateTimeOffset now)
    {
        connection.KeyId = protector.CurrentKeyId;
        connection.AccessToken = protector.Encrypt(connection.TenantId, AssociatedName(connection, "access"), tokens.AccessToken);
        connection.RefreshToken = tokens.RefreshToken is { } refresh ? protector.Encrypt(connection.TenantId, AssociatedName(connection, "refresh"), refresh) : null;
        connection.ExpiresAt = tokens.ExpiresIn is { } seconds ? now.AddSeconds(seconds) : null;
        connection.Scopes = tokens.Scope ?? connection.Scopes;
        connection.UpdatedAt = now;
    }

    /// <summary>A kept token, or null when it cannot be decrypted (its master key is gone): the user then authorizes again.</summary>
    private string? TryDecrypt(UserConnection connection, string kind, byte[] ciphertext)
    {
        try
        {
            return protector.Decrypt(connection.TenantId, AssociatedName(connection, kind), connection.KeyId, ciphertext);
        }
        catch (CryptographicException exception)
        {
            LogUnreadable(logger, connection.Policy, connection.KeyId, exception.Message);
            return null;
        }
    }

    /// <summary>What a token's ciphertext is bound to: a copy moved to another tenant, policy, user or kind does not decrypt.</summary>
    private static string AssociatedName(UserConnection connection, string kind) => $"user-connection\n{connection.Policy}\n{connection.Subject}\n{kind}";

    private async Task<TokenResult> RequestTokensAsync(Guid tenantId, UserOAuth spec, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = await ClientRequestAsync(spec.TokenUrl, tenantId, spec, form, cancellationToken);
        string body;
        System.Net.HttpStatusCode status;
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The details (addresses the egress guard refused, ...) are the operator's, not the user's.
            LogTokenEndpointFailed(logger, spec.TokenUrl, exception.Message);
            return new TokenResult(null, "The authorization server's token endpoint could not be reached.", GrantRefused: false);
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            LogTokenEndpointFailed(logger, spec.TokenUrl, $"{(int)status}: {Clip(body)}");
            return new TokenResult(null, $"The authorization server's token endpoint answered {(int)status} with what is not JSON.", GrantRefused: false);
        }

        if ((int)status is < 200 or >= 300 || root.ValueKind != JsonValueKind.Object)
        {
            // Only the OAuth error code is told: the rest of the body is the server's.
            var error = Text(root, "error");
            LogTokenEndpointFailed(logger, spec.TokenUrl, $"{(int)status}: {Clip(body)}");
            return new TokenResult(null, $"The authorization server refused: {(int)status}{(error is null ? string.Empty : " " + error)}.",
                GrantRefused: error == "invalid_grant", Refused: true);
        }

        if (Text(root, "access_token") is not { Length: > 0 } accessToken)
        {
            return new TokenResult(null, "The authorization server's token endpoint answered without an access_token.", GrantRefused: false);
        }

        return new TokenResult(new TokenAnswer(accessToken, Text(root, "refresh_token"), ExpiresIn(root), Text(root, "scope")), null, GrantRefused: false);
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary><c>expires_in</c> as a number or (as some servers send it) a string of one, within ten years; null without one.</summary>
    private static long? ExpiresIn(JsonElement root)
    {
        if (!root.TryGetProperty("expires_in", out var value))
        {
            return null;
        }

        long? seconds = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) => number,
            JsonValueKind.String when long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };
        return seconds is { } given ? Math.Clamp(given, 0, MaxExpiresIn) : null;
    }

    /// <summary>A POST of <paramref name="form"/> as the policy's client.</summary>
    private async Task<HttpRequestMessage> ClientRequestAsync(string url, Guid tenantId, UserOAuth spec, Dictionary<string, string> form, CancellationToken cancellationToken) =>
        ClientRequest(url, spec.ClientId, await ClientSecretAsync(tenantId, spec, cancellationToken), form);

    /// <summary>A POST of <paramref name="form"/> as a client: its secret in Basic auth, or its id in the form (a public client).</summary>
    private static HttpRequestMessage ClientRequest(string url, string clientId, string? secret, Dictionary<string, string> form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        }
        else
        {
            form["client_id"] = clientId;
        }

        request.Content = new FormUrlEncodedContent(form);
        return request;
    }

    private async Task<string?> ClientSecretAsync(Guid tenantId, UserOAuth spec, CancellationToken cancellationToken)
    {
        switch (spec.ClientSecret?.SourceCase)
        {
            case SecretValue.SourceOneofCase.Inline:
                return spec.ClientSecret.Inline;
            case SecretValue.SourceOneofCase.SecretRef:
                var name = spec.ClientSecret.SecretRef;
                var secret = await db.Secrets.AsNoTracking().SingleOrDefaultAsync(candidate => candidate.TenantId == tenantId && candidate.Name == name, cancellationToken);
                return secret is null ? null : protector.Decrypt(tenantId, secret.Name, secret.KeyId, secret.Ciphertext);
            default:
                return null;
        }
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "...";

    /// <summary>Why a revocation endpoint did not revoke a token, and whether asking it again later is worth it.</summary>
    internal sealed record RevocationFailure(string Reason, bool WorthAskingAgain);

    private sealed record TokenAnswer(string AccessToken, string? RefreshToken, long? ExpiresIn, string? Scope);

    /// <summary>
    /// A token request's outcome: the tokens, or why not (told to users), whether the server answered with a refusal
    /// (rather than being unreachable or answering nonsense), and whether it refused the grant itself.
    /// </summary>
    private sealed record TokenResult(TokenAnswer? Tokens, string? Failure, bool GrantRefused, bool Refused = false);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {Subject} connected policy {Policy} of tenant {Tenant}")]
    private static partial void LogConnected(ILogger logger, string tenant, string policy, string subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The token of {Subject} for policy {Policy} of tenant {Tenant} could not be refreshed: {Failure}")]
    private static partial void LogRefreshFailed(ILogger logger, string tenant, string policy, string subject, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The token endpoint {TokenUrl} failed: {Failure}")]
    private static partial void LogTokenEndpointFailed(ILogger logger, string tokenUrl, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "A user's token of policy {Policy} cannot be decrypted (master key {KeyId}): {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string policy, string keyId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A token of policy {Policy} of tenant {Tenant} could not be revoked at the authorization server: {Failure}")]
    private static partial void LogRevocationFailed(ILogger logger, string tenant, string policy, string failure);
}

/// <summary>Why the vault will not do what was asked, as an HTTP status and a sentence.</summary>
internal sealed record VaultRefusal(int Status, string Detail);

/// <summary>What the sealed state of a started authorization carries.</summary>
internal sealed record AuthorizationState(string Tenant, string Policy, string Subject, string Verifier, string RedirectUri, long ExpiresAt);

[System.Text.Json.Serialization.JsonSerializable(typeof(AuthorizationState))]
internal sealed partial class AuthorizationStateJson : System.Text.Json.Serialization.JsonSerializerContext;
