using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using AgentGateway.Portal.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace AgentGateway.Portal.Services;

/// <summary>
/// The signed-in user's access token for AdminApi, refreshed with the refresh token shortly before it expires.
/// </summary>
internal sealed class AccessTokenProvider(
    AuthenticationStateProvider authenticationState,
    UserTokenStore store,
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    IHttpClientFactory httpClientFactory,
    TimeProvider timeProvider)
{
    public const string HttpClientName = "token-refresh";

    private static readonly TimeSpan s_refreshBefore = TimeSpan.FromSeconds(60);

    public async Task<string?> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var state = await authenticationState.GetAuthenticationStateAsync();
        if (state.User.FindFirstValue(PortalClaims.Session) is not { } session || await store.GetAsync(session, cancellationToken) is not { } tokens)
        {
            return null;
        }

        if (tokens.ExpiresAt - s_refreshBefore > timeProvider.GetUtcNow() || tokens.RefreshToken is null)
        {
            return tokens.AccessToken;
        }

        var refreshed = await RefreshAsync(tokens, cancellationToken);
        if (refreshed is null)
        {
            return tokens.AccessToken;
        }

        await store.SetAsync(session, refreshed, cancellationToken);
        return refreshed.AccessToken;
    }

    private async Task<UserTokens?> RefreshAsync(UserTokens current, CancellationToken cancellationToken)
    {
        var options = oidcOptions.Get(OpenIdConnectDefaults.AuthenticationScheme);
        if (options.ConfigurationManager is null)
        {
            return null;
        }

        var configuration = await options.ConfigurationManager.GetConfigurationAsync(cancellationToken);
        var http = httpClientFactory.CreateClient(HttpClientName);
        using var response = await http.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = current.RefreshToken!,
            ["client_id"] = options.ClientId!,
            ["client_secret"] = options.ClientSecret ?? string.Empty,
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var lifetime = body.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var seconds) ? seconds : 300;
        return new UserTokens(
            body.GetProperty("access_token").GetString()!,
            body.TryGetProperty("refresh_token", out var next) ? next.GetString() : current.RefreshToken,
            timeProvider.GetUtcNow().AddSeconds(lifetime),
            body.TryGetProperty("id_token", out var idToken) ? idToken.GetString() : current.IdToken);
    }
}
