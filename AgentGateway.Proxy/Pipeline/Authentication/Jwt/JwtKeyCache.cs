using System.Collections.Concurrent;
using System.Text.Json;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Upstream;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace AgentGateway.Proxy.Pipeline.Authentication.Jwt;

/// <summary>
/// The signing keys of every JWT issuer the routes trust, fetched from the provider's JWKS URI (or discovered from
/// its OpenID configuration) and kept for the provider's cache time across config changes. A token signed with a key
/// the cache does not know fetches the keys again at once (at most every <see cref="PolicyOptions.JwksMinRefreshInterval"/>), so keys
/// an issuer rotates are picked up without waiting; when a fetch fails the last good keys stay in use.
/// </summary>
internal sealed partial class JwtKeyCache(
    BackendHttpClients clients, IOptions<PolicyOptions> options, IOptions<GatewayLimitsOptions> limits, TimeProvider time, ILogger<JwtKeyCache> logger)
{
    private static readonly TimeSpan s_defaultCacheTime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The provider's keys; <paramref name="refresh"/> asks for a fresh fetch (a token named an unknown key).</summary>
    public async ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(JwtProvider provider, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Jwks.Length > 0)
        {
            return _entries.GetOrAdd("inline:" + provider.Jwks, _ => new Entry { Keys = Parse(provider.Jwks), FetchedAt = DateTimeOffset.MaxValue }).Keys;
        }

        var minRefreshInterval = options.Value.JwksMinRefreshInterval;
        var source = provider.JwksUri.Length > 0 ? provider.JwksUri : DiscoveryUrl(provider.Issuer);
        var entry = _entries.GetOrAdd(source, _ => new Entry());
        var now = time.GetUtcNow();
        var cacheTime = provider.JwksCacheSeconds > 0 ? TimeSpan.FromSeconds(provider.JwksCacheSeconds) : s_defaultCacheTime;
        var stale = entry.Keys.Count == 0 || now - entry.FetchedAt >= cacheTime || (refresh && now - entry.AttemptedAt >= minRefreshInterval);
        if (!stale)
        {
            return entry.Keys;
        }

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            now = time.GetUtcNow();
            if (entry.Keys.Count > 0 && now - entry.FetchedAt < cacheTime && !(refresh && now - entry.AttemptedAt >= minRefreshInterval))
            {
                return entry.Keys;
            }

            if (entry.Keys.Count > 0 && now - entry.AttemptedAt < minRefreshInterval)
            {
                return entry.Keys;
            }

            entry.AttemptedAt = now;
            try
            {
                var jwksUri = provider.JwksUri.Length > 0 ? provider.JwksUri : await DiscoverJwksUriAsync(source, cancellationToken);
                entry.Keys = Parse(await GetStringAsync(jwksUri, cancellationToken));
                entry.FetchedAt = now;
                LogKeysFetched(logger, provider.Issuer, entry.Keys.Count, jwksUri);
            }
            catch (Exception exception) when (exception is HttpRequestException or JsonException or ArgumentException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogKeysFailed(logger, provider.Issuer, exception.Message);
            }

            return entry.Keys;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<string> DiscoverJwksUriAsync(string discoveryUrl, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await GetStringAsync(discoveryUrl, cancellationToken));
        return document.RootElement.TryGetProperty("jwks_uri", out var uri) && uri.GetString() is { Length: > 0 } value
            ? value
            : throw new JsonException($"{discoveryUrl} names no jwks_uri");
    }

    private async Task<string> GetStringAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var response = await clients.For(null).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        try
        {
            return await BoundedBody.ReadStringAsync(response.Content, limits.Value.MaxFetchedDocumentBytes, url, LimitMetrics.FetchedDocument, timeout.Token);
        }
        catch (MessageTooLargeException exception)
        {
            // Failing to fetch keys is handled as any fetch failure (the last keys known keep working).
            throw new HttpRequestException(exception.Message, exception);
        }
    }

    private static string DiscoveryUrl(string issuer) => issuer.TrimEnd('/') + "/.well-known/openid-configuration";

    private static IReadOnlyList<SecurityKey> Parse(string jwks) =>
        [.. new JsonWebKeySet(jwks).GetSigningKeys()];

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IReadOnlyList<SecurityKey> Keys { get; set; } = [];

        public DateTimeOffset FetchedAt { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset AttemptedAt { get; set; } = DateTimeOffset.MinValue;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {Count} signing keys of issuer {Issuer} from {JwksUri}")]
    private static partial void LogKeysFetched(ILogger logger, string issuer, int count, string jwksUri);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the signing keys of issuer {Issuer}; keeping the last good ones: {Reason}")]
    private static partial void LogKeysFailed(ILogger logger, string issuer, string reason);
}
