using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Limits;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentGateway.Proxy.Upstream.Auth;

/// <summary>
/// Obtains and applies the credentials of a backend's auth: static headers, the client's own header, OAuth 2.0
/// tokens (client credentials, or RFC 8693 token exchange on the caller's behalf) cached until shortly before they
/// expire, each user's own token from the control plane's vault, AWS SigV4 signatures, and Google identity and access tokens. Token endpoints are reached through the egress guard.
/// </summary>
internal sealed partial class BackendCredentials : IDisposable
{
    private const string TokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";
    private const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    private const int MaxCachedTokens = 10_000;
    private const string GoogleCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private static readonly TimeSpan s_refreshMargin = TimeSpan.FromSeconds(30);

    private readonly HttpClient _tokenClient;
    private readonly HttpClient _metadataClient;
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _fetches = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<BackendCredentials> _logger;

    private readonly IUserTokenSource? _userTokens;

    public BackendCredentials(
        EgressGuard egress, TimeProvider time, Microsoft.Extensions.Options.IOptions<GatewayLimitsOptions> limits, ILogger<BackendCredentials> logger,
        IUserTokenSource? userTokens = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        // Token endpoints' and the metadata server's answers are documents the gateway reads whole: bounded.
        var documentLimit = limits.Value.MaxFetchedDocumentBytes;
        _tokenClient = new HttpClient(new SocketsHttpHandler { ConnectCallback = egress.ConnectAsync })
        {
            Timeout = TimeSpan.FromSeconds(30),
            MaxResponseContentBufferSize = documentLimit,
        };
        _metadataClient = new HttpClient { Timeout = TimeSpan.FromSeconds(10), MaxResponseContentBufferSize = documentLimit };
        _time = time;
        _logger = logger;
        _userTokens = userTokens;
    }

    /// <summary>Where the machine's Google metadata server is (<c>GCE_METADATA_HOST</c>, as Google's own libraries read it).</summary>
    public string GoogleMetadataHost { get; init; } = Environment.GetEnvironmentVariable("GCE_METADATA_HOST") ?? "metadata.google.internal";

    public async ValueTask ApplyAsync(HttpRequestMessage request, BackendAuth auth, ICallerCredentials? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(auth);
        switch (auth.MethodCase)
        {
            case BackendAuth.MethodOneofCase.Passthrough:
                if (caller?.Authorization is { } authorization)
                {
                    SetHeader(request, "Authorization", authorization);
                }

                break;
            case BackendAuth.MethodOneofCase.Header:
                var header = auth.Header;
                SetHeader(request, header.Name.Length > 0 ? header.Name : "Authorization", header.Prefix + header.Value.Inline);
                break;
            case BackendAuth.MethodOneofCase.Oauth2ClientCredentials:
                SetBearer(request, await ClientCredentialsTokenAsync(auth.Oauth2ClientCredentials, cancellationToken));
                break;
            case BackendAuth.MethodOneofCase.TokenExchange:
                SetBearer(request, await ExchangeTokenAsync(auth.TokenExchange, caller, cancellationToken));
                break;
            case BackendAuth.MethodOneofCase.AwsSigv4:
                var aws = auth.AwsSigv4;
                await AwsSigV4Signer.SignAsync(request, aws.Region, aws.Service, aws.AccessKeyId.Inline, aws.SecretAccessKey.Inline,
                    aws.SessionToken?.Inline, _time.GetUtcNow(), cancellationToken);
                break;
            case BackendAuth.MethodOneofCase.GcpIdentityToken:
                var audience = auth.GcpIdentityToken.Audience.Length > 0
                    ? auth.GcpIdentityToken.Audience
                    : request.RequestUri!.GetLeftPart(UriPartial.Authority);
                SetBearer(request, await GoogleIdentityTokenAsync(auth.GcpIdentityToken, audience, cancellationToken));
                break;
            case BackendAuth.MethodOneofCase.GcpAccessToken:
                SetBearer(request, await GoogleAccessTokenAsync(auth.GcpAccessToken, cancellationToken));
                break;
            case BackendAuth.MethodOneofCase.UserOauth:
                SetBearer(request, await UserTokenAsync(auth.UserOauth, caller, cancellationToken));
                break;
        }
    }

    /// <summary>The caller's own token for the backend, from the control plane's vault (which refreshes it).</summary>
    private async Task<string> UserTokenAsync(UserOAuth oauth, ICallerCredentials? caller, CancellationToken cancellationToken)
    {
        if (caller?.Subject is not { } subject || !subject.StartsWith("jwt:", StringComparison.Ordinal))
        {
            throw new BackendAuthException("the backend acts as each user, and this request names no user: authenticate the route's callers with JWT or MCP authentication");
        }

        if (_userTokens is null)
        {
            throw new BackendAuthException("users' own tokens are kept by the control plane, and this proxy runs without one");
        }

        return await _userTokens.GetAsync(oauth.Tenant, oauth.Connection, subject, cancellationToken)
            ?? throw new UserAuthorizationRequiredException(oauth.Connection, oauth.ConnectUrl.Length > 0 ? oauth.ConnectUrl : null);
    }

    private Task<string> ClientCredentialsTokenAsync(OAuth2ClientCredentials credentials, CancellationToken cancellationToken)
    {
        var key = "cc:" + Digest(credentials.TokenUrl, credentials.ClientId, credentials.ClientSecret.Inline, string.Join(' ', credentials.Scopes), credentials.Audience, credentials.Resource);
        return CachedAsync(key, async token =>
        {
            var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
            AddTokenParameters(form, credentials.Scopes, credentials.Audience, credentials.Resource);
            return await RequestTokenAsync(credentials.TokenUrl, credentials.ClientId, credentials.ClientSecret.Inline, form, null, token);
        }, cancellationToken);
    }

    private Task<string> ExchangeTokenAsync(TokenExchange exchange, ICallerCredentials? caller, CancellationToken cancellationToken)
    {
        if (caller?.BearerToken is not { } subjectToken)
        {
            throw new BackendAuthException("token exchange needs the caller's token, and this request carries none: authenticate the route's callers with JWT or MCP authentication");
        }

        var subjectExpiry = ReadExpiry(subjectToken);
        var key = "tx:" + Digest(exchange.TokenUrl, exchange.ClientId, exchange.ClientSecret.Inline, exchange.Audience, exchange.Resource, string.Join(' ', exchange.Scopes), subjectToken);
        return CachedAsync(key, async token =>
        {
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = TokenExchangeGrant,
                ["subject_token"] = subjectToken,
                ["subject_token_type"] = AccessTokenType,
                ["requested_token_type"] = AccessTokenType,
            };
            AddTokenParameters(form, exchange.Scopes, exchange.Audience, exchange.Resource);
            return await RequestTokenAsync(exchange.TokenUrl, exchange.ClientId, exchange.ClientSecret.Inline, form, subjectExpiry, token);
        }, cancellationToken);
    }

    private Task<string> GoogleIdentityTokenAsync(GcpIdentityToken gcp, string audience, CancellationToken cancellationToken)
    {
        var serviceAccount = gcp.ServiceAccountKey?.Inline;
        RefuseAmbientUnlessAsked(serviceAccount, gcp.ProxyIdentity);
        var key = "gcp:" + Digest(serviceAccount ?? GoogleMetadataHost, audience);
        return CachedAsync(key, async token =>
        {
            string idToken;
            if (serviceAccount is null)
            {
                // The token of the machine's own service account, from the metadata server (not a tenant URL: no egress check).
                var url = $"http://{GoogleMetadataHost}/computeMetadata/v1/instance/service-accounts/default/identity?audience={Uri.EscapeDataString(audience)}&format=full";
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.TryAddWithoutValidation("Metadata-Flavor", "Google");
                using var response = await SendTokenRequestAsync(_metadataClient, request, "the Google metadata server", token);
                idToken = (await response.Content.ReadAsStringAsync(token)).Trim();
            }
            else
            {
                idToken = await ServiceAccountIdentityTokenAsync(serviceAccount, audience, token);
            }

            return new CachedToken(idToken, RefreshTime(ReadExpiry(idToken), null));
        }, cancellationToken);
    }

    private Task<string> GoogleAccessTokenAsync(GcpAccessToken gcp, CancellationToken cancellationToken)
    {
        var serviceAccount = gcp.ServiceAccountKey?.Inline;
        RefuseAmbientUnlessAsked(serviceAccount, gcp.ProxyIdentity);
        var scopes = gcp.Scopes.Count > 0 ? string.Join(' ', gcp.Scopes) : GoogleCloudPlatformScope;
        var key = "gcp-access:" + Digest(serviceAccount ?? GoogleMetadataHost, scopes);
        return CachedAsync(key, async token =>
        {
            if (serviceAccount is not null)
            {
                var (answer, endpoint) = await ServiceAccountTokenAsync(serviceAccount, new Dictionary<string, object> { ["scope"] = scopes }, token);
                using (answer)
                {
                    return AccessToken(answer.RootElement, endpoint, "jwt-bearer");
                }
            }

            // The token of the machine's own service account, from the metadata server (not a tenant URL: no egress check).
            var url = $"http://{GoogleMetadataHost}/computeMetadata/v1/instance/service-accounts/default/token?scopes={Uri.EscapeDataString(scopes.Replace(' ', ','))}";
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Metadata-Flavor", "Google");
            using var response = await SendTokenRequestAsync(_metadataClient, request, "the Google metadata server", token);
            using var metadata = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(token));
            return AccessToken(metadata.RootElement, "the Google metadata server", "metadata");
        }, cancellationToken);
    }

    /// <summary>
    /// The proxy's own service account is used only when the config asks for it in so many words (which the control
    /// plane writes only for tenants a platform admin allowed), never because a key is missing.
    /// </summary>
    private static void RefuseAmbientUnlessAsked(string? serviceAccount, bool proxyIdentity)
    {
        if (serviceAccount is null && !proxyIdentity)
        {
            throw new BackendAuthException("the Google token auth names no service account key and does not ask for the proxy's own identity");
        }
    }

    /// <summary>A service account's identity token: a self-signed assertion traded at the key's token URI (Google's JWT bearer flow).</summary>
    private async Task<string> ServiceAccountIdentityTokenAsync(string serviceAccountJson, string audience, CancellationToken cancellationToken)
    {
        var (answer, tokenUri) = await ServiceAccountTokenAsync(serviceAccountJson, new Dictionary<string, object> { ["target_audience"] = audience }, cancellationToken);
        using (answer)
        {
            return answer.RootElement.TryGetProperty("id_token", out var idToken) && idToken.GetString() is { Length: > 0 } value
                ? value
                : throw new BackendAuthException($"{tokenUri} answered without an id_token");
        }
    }

    /// <summary>
    /// What a service account's key gets at its token URI for a self-signed assertion with <paramref name="claims"/>
    /// (Google's JWT bearer flow: <c>target_audience</c> for an identity token, <c>scope</c> for an access token).
    /// </summary>
    private async Task<(JsonDocument Answer, string TokenUri)> ServiceAccountTokenAsync(
        string serviceAccountJson, Dictionary<string, object> claims, CancellationToken cancellationToken)
    {
        string email, privateKey, tokenUri;
        string? keyId;
        try
        {
            using var document = JsonDocument.Parse(serviceAccountJson);
            var root = document.RootElement;
            email = root.GetProperty("client_email").GetString()!;
            privateKey = root.GetProperty("private_key").GetString()!;
            tokenUri = root.TryGetProperty("token_uri", out var uri) ? uri.GetString()! : "https://oauth2.googleapis.com/token";
            keyId = root.TryGetProperty("private_key_id", out var id) ? id.GetString() : null;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new BackendAuthException("the Google service account key is not a service account key file (client_email, private_key, token_uri)", exception);
        }

        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKey);
        var now = _time.GetUtcNow();
        var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = email,
            Audience = tokenUri,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.UtcDateTime.AddHours(1),
            Claims = new Dictionary<string, object>(claims) { ["sub"] = email },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa.ExportParameters(true)) { KeyId = keyId }, SecurityAlgorithms.RsaSha256),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUri)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                ["assertion"] = assertion,
            }),
        };
        using var response = await SendTokenRequestAsync(_tokenClient, request, tokenUri, cancellationToken);
        return (JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken)), tokenUri);
    }

    private async Task<CachedToken> RequestTokenAsync(
        string tokenUrl, string clientId, string clientSecret, Dictionary<string, string> form, DateTimeOffset? notAfter, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}")));
        using var response = await SendTokenRequestAsync(_tokenClient, request, tokenUrl, cancellationToken);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return AccessToken(answer.RootElement, $"the token endpoint {tokenUrl}", form["grant_type"], notAfter);
    }

    /// <summary>The access token of a token answer, cached until shortly before its <c>expires_in</c> (or its own expiry).</summary>
    private CachedToken AccessToken(JsonElement answer, string endpoint, string grant, DateTimeOffset? notAfter = null)
    {
        if (!answer.TryGetProperty("access_token", out var accessToken) || accessToken.GetString() is not { Length: > 0 } token)
        {
            throw new BackendAuthException($"{endpoint} answered without an access_token");
        }

        DateTimeOffset? expiry = answer.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt64(out var seconds)
            ? _time.GetUtcNow().AddSeconds(seconds)
            : ReadExpiry(token);
        LogTokenObtained(_logger, grant, endpoint);
        return new CachedToken(token, RefreshTime(expiry, notAfter));
    }

    private static async Task<HttpResponseMessage> SendTokenRequestAsync(HttpClient client, HttpRequestMessage request, string endpoint, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new BackendAuthException($"{endpoint} could not be reached for a backend token: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackendAuthException($"{endpoint} did not answer in time for a backend token", exception);
        }

        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new BackendAuthException($"{endpoint} refused the backend token request: {(int)response.StatusCode} {Truncate(body)}");
        }

        return response;
    }

    /// <summary>A token from the cache, or fetched once (concurrent requests wait for the same fetch).</summary>
    private async Task<string> CachedAsync(string key, Func<CancellationToken, Task<CachedToken>> fetch, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && cached.RefreshAt > now)
        {
            return cached.Token;
        }

        var gate = _fetches.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_tokens.TryGetValue(key, out cached) && cached.RefreshAt > _time.GetUtcNow())
            {
                return cached.Token;
            }

            var fresh = await fetch(cancellationToken);
            if (_tokens.Count >= MaxCachedTokens)
            {
                Prune();
            }

            _tokens[key] = fresh;
            return fresh.Token;
        }
        finally
        {
            gate.Release();
        }
    }

    private void Prune()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, token) in _tokens)
        {
            if (token.RefreshAt <= now || _tokens.Count >= MaxCachedTokens)
            {
                _tokens.TryRemove(key, out _);
                _fetches.TryRemove(key, out _);
            }
        }
    }

    private DateTimeOffset RefreshTime(DateTimeOffset? expiry, DateTimeOffset? notAfter)
    {
        var now = _time.GetUtcNow();
        var until = expiry ?? now.AddMinutes(5);
        if (notAfter is { } limit && limit < until)
        {
            until = limit;
        }

        var refresh = until - s_refreshMargin;
        return refresh > now ? refresh : now.AddSeconds(5);
    }

    private static DateTimeOffset? ReadExpiry(string token)
    {
        try
        {
            var jwt = new JsonWebToken(token);
            return jwt.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static void AddTokenParameters(Dictionary<string, string> form, IEnumerable<string> scopes, string audience, string resource)
    {
        var scope = string.Join(' ', scopes);
        if (scope.Length > 0)
        {
            form["scope"] = scope;
        }

        if (audience.Length > 0)
        {
            form["audience"] = audience;
        }

        if (resource.Length > 0)
        {
            form["resource"] = resource;
        }
    }

    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }

    private static void SetBearer(HttpRequestMessage request, string token) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    private static string Digest(params string?[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";

    public void Dispose()
    {
        _tokenClient.Dispose();
        _metadataClient.Dispose();
        foreach (var gate in _fetches.Values)
        {
            gate.Dispose();
        }
    }

    private sealed record CachedToken(string Token, DateTimeOffset RefreshAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Obtained a backend token ({Grant}) from {Endpoint}")]
    private static partial void LogTokenObtained(ILogger logger, string grant, string endpoint);
}
