using System.Collections.Concurrent;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Upstream.Auth;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config.Xds;

/// <summary>
/// End users' own tokens from the control plane's vault (beside the xDS stream, with the proxy's credentials), each
/// reused for <see cref="XdsOptions.UserTokenCacheDuration"/> at most and never within a minute of its expiry; concurrent
/// calls of one user wait for the same answer. A user without a token is asked for again on their next call.
/// </summary>
internal sealed partial class ControlPlaneUserTokens : IUserTokenSource, IDisposable
{
    private const int MaxCachedTokens = 10_000;
    private static readonly TimeSpan s_expiryMargin = TimeSpan.FromSeconds(60);

    private readonly GrpcChannel _channel;
    private readonly GatewayReports.GatewayReportsClient _client;
    private readonly ClientCredentialsTokenSource _credentials;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheDuration;
    private readonly ILogger<ControlPlaneUserTokens> _logger;
    private readonly ConcurrentDictionary<(string Tenant, string Connection, string Subject), Lazy<Task<CachedToken>>> _tokens = new();

    public ControlPlaneUserTokens(
        IOptions<XdsOptions> options, IHttpClientFactory httpClientFactory, ClientCredentialsTokenSource credentials, TimeProvider time, ILogger<ControlPlaneUserTokens> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channel = GrpcChannel.ForAddress(options.Value.Address!, new GrpcChannelOptions
        {
            HttpClient = httpClientFactory.CreateClient(XdsClient.HttpClientName),
            DisposeHttpClient = true,
        });
        _client = new GatewayReports.GatewayReportsClient(_channel);
        _credentials = credentials;
        _time = time;
        _cacheDuration = options.Value.UserTokenCacheDuration;
        _logger = logger;
    }

    public async ValueTask<string?> GetAsync(string tenant, string connection, string subject, CancellationToken cancellationToken)
    {
        var key = (tenant, connection, subject);
        var asked = _time.GetUtcNow();
        while (true)
        {
            var entry = _tokens.GetOrAdd(key, static (key, self) => new Lazy<Task<CachedToken>>(() => self.FetchAsync(key)), this);
            CachedToken cached;
            try
            {
                cached = await entry.Value.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                _tokens.TryRemove(KeyValuePair.Create(key, entry));
                throw;
            }

            if (cached.Token is not null && cached.ReuseUntil > _time.GetUtcNow())
            {
                return cached.Token;
            }

            // Not to be reused: an answer asked for before this call is asked for again; one asked for by it is the answer.
            _tokens.TryRemove(KeyValuePair.Create(key, entry));
            if (cached.FetchedAt >= asked)
            {
                return cached.Token;
            }
        }
    }

    private async Task<CachedToken> FetchAsync((string Tenant, string Connection, string Subject) key)
    {
        if (_tokens.Count > MaxCachedTokens)
        {
            var now = _time.GetUtcNow();
            foreach (var (stale, entry) in _tokens)
            {
                if (entry.IsValueCreated && entry.Value is { IsCompletedSuccessfully: true, Result.ReuseUntil: var until } && until <= now)
                {
                    _tokens.TryRemove(KeyValuePair.Create(stale, entry));
                }
            }
        }

        var fetchedAt = _time.GetUtcNow();
        var headers = new Metadata();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15), _time);
        if (await _credentials.GetTokenAsync(timeout.Token) is { } token)
        {
            headers.Add("authorization", "Bearer " + token);
        }

        UserTokenResponse response;
        try
        {
            response = await _client.GetUserTokenAsync(
                new UserTokenRequest { Tenant = key.Tenant, Connection = key.Connection, Subject = key.Subject }, headers, cancellationToken: timeout.Token);
        }
        catch (RpcException exception)
        {
            if (exception.StatusCode == StatusCode.Unauthenticated)
            {
                _credentials.Invalidate();
            }

            LogVaultFailed(_logger, key.Tenant, key.Connection, exception.Status.Detail);
            throw new BackendAuthException($"the control plane's token vault did not answer for this user's token: {exception.Status.Detail}", exception);
        }

        if (response.AccessToken.Length == 0)
        {
            return new CachedToken(null, fetchedAt, fetchedAt);
        }

        var reuseUntil = _time.GetUtcNow() + _cacheDuration;
        if (response.ExpiresAt is { } expiresAt && expiresAt.ToDateTimeOffset() - s_expiryMargin < reuseUntil)
        {
            reuseUntil = expiresAt.ToDateTimeOffset() - s_expiryMargin;
        }

        return new CachedToken(response.AccessToken, reuseUntil, fetchedAt);
    }

    public void Dispose() => _channel.Dispose();

    private sealed record CachedToken(string? Token, DateTimeOffset ReuseUntil, DateTimeOffset FetchedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The control plane's token vault did not answer for a user's token of {Connection} (tenant {Tenant}): {Reason}")]
    private static partial void LogVaultFailed(ILogger logger, string tenant, string connection, string reason);
}
