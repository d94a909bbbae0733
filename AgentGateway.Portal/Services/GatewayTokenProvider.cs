using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using AgentGateway.Portal.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace AgentGateway.Portal.Services;

/// <summary>
/// The token the Portal's playground sends to a route: the signed-in user's, exchanged (RFC 8693) at the identity
/// provider for one whose only audience is the gateway (<c>Identity:GatewayAudience</c>). The user's own token is
/// AdminApi's and never leaves for a route, whose upstream may see what the route passes on.
/// </summary>
internal sealed partial class GatewayTokenProvider(
    AuthenticationStateProvider authenticationState,
    AccessTokenProvider tokens,
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    IOptions<PortalIdentityOptions> identity,
    IHttpClientFactory httpClientFactory,
    TimeProvider timeProvider,
    ILogger<GatewayTokenProvider> logger)
{
    private static readonly TimeSpan s_refreshBefore = TimeSpan.FromSeconds(60);

    // Exchanged tokens by Portal session: one per signed-in user, replaced when it nears its expiry.
    private static readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> s_cache = new(StringComparer.Ordinal);

    /// <summary>A gateway token for the signed-in user, or null and why not (no user signed in, or the provider refused the exchange).</summary>
    public async Task<(string? Token, string? Problem)> GetAsync(CancellationToken cancellationToken)
    {
        var state = await authenticationState.GetAuthenticationStateAsync();
        var session = state.User.FindFirstValue(PortalClaims.Session);
        if (session is null || await tokens.GetAccessTokenAsync(cancellationToken) is not { } subjectToken)
        {
            return (null, "no user is signed in");
        }

        if (s_cache.TryGetValue(session, out var cached) && cached.ExpiresAt - s_refreshBefore > timeProvider.GetUtcNow())
        {
            return (cached.Token, null);
        }

        var options = oidcOptions.Get(OpenIdConnectDefaults.AuthenticationScheme);
        if (options.ConfigurationManager is null)
        {
            return (null, "the identity provider's configuration is not known");
        }

        var configuration = await options.ConfigurationManager.GetConfigurationAsync(cancellationToken);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["subject_token"] = subjectToken,
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["requested_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["audience"] = identity.Value.GatewayAudience,
            ["client_id"] = options.ClientId!,
            ["client_secret"] = options.ClientSecret ?? string.Empty,
        };
        if (identity.Value.GatewayScope is { Length: > 0 } scope)
        {
            form["scope"] = scope;
        }

        using var response = await httpClientFactory.CreateClient(AccessTokenProvider.HttpClientName)
            .PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(form), cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!response.IsSuccessStatusCode || !body.TryGetProperty("access_token", out var token) || token.GetString() is not { Length: > 0 } accessToken)
        {
            var reason = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var error) ? error.GetString() : $"HTTP {(int)response.StatusCode}";
            LogExchangeRefused(logger, identity.Value.GatewayAudience, reason ?? "no token");
            return (null, $"the identity provider gave no token for the gateway ({reason})");
        }

        var lifetime = body.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var seconds) ? seconds : 300;
        var now = timeProvider.GetUtcNow();
        if (s_cache.Count >= 10_000)
        {
            // Sessions end without saying so: their expired tokens go when the cache grows.
            foreach (var (key, entry) in s_cache.Where(entry => entry.Value.ExpiresAt <= now).ToList())
            {
                s_cache.TryRemove(KeyValuePair.Create(key, entry));
            }
        }

        s_cache[session] = (accessToken, now.AddSeconds(lifetime));
        return (accessToken, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The identity provider refused to exchange the user's token for the gateway audience {Audience}: {Reason}")]
    private static partial void LogExchangeRefused(ILogger logger, string audience, string reason);
}
