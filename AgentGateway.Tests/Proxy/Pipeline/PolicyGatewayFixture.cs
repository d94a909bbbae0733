using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Identity;
using ModelContextProtocol.Client;

namespace AgentGateway.Tests.Proxy.Pipeline;

[CollectionDefinition(Name)]
public sealed class PolicyGatewayCollection : ICollectionFixture<PolicyGatewayFixture>
{
    public const string Name = "Policy gateway";
}

/// <summary>
/// A standalone proxy with one route per policy under test, all in front of the <see cref="ProbeServer"/>, next to
/// the real local OIDC issuer (for client credentials and token exchange).
/// </summary>
public sealed class PolicyGatewayFixture : IAsyncLifetime
{
    public const string Audience = "agw-tests";
    public const string ApiKey = "agk_test_ci_key";
    public const string ExpiredApiKey = "agk_test_expired_key";
    public const string AwsAccessKey = "AKIDEXAMPLE";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-policies-" + Guid.NewGuid().ToString("N"));

    private StandaloneProxy? _proxy;

    public TestCertificates Certificates { get; } = new();

    public TestJwtIssuer Issuer { get; } = new();

    public IdentityServerFixture Identity { get; } = new();

    public ProbeServer Probe { get; private set; } = null!;

    public ServiceProcess Proxy => _proxy!.Process;

    /// <summary>The value the static-header route reads from a file.</summary>
    public string StaticKey { get; } = "static-" + Guid.NewGuid().ToString("N");

    /// <summary>The port the proxy listens on, known before the issuer starts so that the issuer knows the OAuth route's resource.</summary>
    private readonly int _proxyPort = ServiceProcess.GetFreePort();

    /// <summary>An OAuth client of the local issuer for MCP authentication's full flow, bound to the <c>oauth</c> route's resource.</summary>
    public const string OAuthClientId = "agentgateway-mcp-client";

    public const string OAuthClientSecret = "mcp-client-secret";

    public Uri OAuthRedirectUri { get; } = new($"http://127.0.0.1:{ServiceProcess.GetFreePort()}/callback");

    public string OAuthResource => $"http://127.0.0.1:{_proxyPort}/acme/oauth";

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_directory);
        Identity.AdditionalConfiguration["Identity:Resources:1"] = OAuthResource;
        Identity.AdditionalConfiguration["Identity:Clients:3:ClientId"] = OAuthClientId;
        Identity.AdditionalConfiguration["Identity:Clients:3:ClientSecret"] = OAuthClientSecret;
        Identity.AdditionalConfiguration["Identity:Clients:3:Grants:0"] = "authorization_code";
        Identity.AdditionalConfiguration["Identity:Clients:3:Grants:1"] = "refresh_token";
        Identity.AdditionalConfiguration["Identity:Clients:3:RedirectUris:0"] = OAuthRedirectUri.ToString();
        Identity.AdditionalConfiguration["Identity:Clients:3:Resources:0"] = OAuthResource;
        await Identity.InitializeAsync();
        Probe = await ProbeServer.StartAsync(Certificates, Issuer);
        var keyFile = Path.Combine(_directory, "static-key.txt");
        await File.WriteAllTextAsync(keyFile, StaticKey + "\n", cancellationToken);
        _proxy = await StandaloneProxy.StartAsync(Config(keyFile), cancellationToken, new Dictionary<string, string>
        {
            ["Policies:JwksMinRefreshInterval"] = "00:00:01",
        }, _proxyPort, environment: new Dictionary<string, string> { ["GCE_METADATA_HOST"] = Probe.MetadataHost });
    }

    public Uri Route(string name) => new(Proxy.BaseAddress, $"/acme/{name}");

    /// <summary>A token of the test issuer for the JWT routes (audience <see cref="Audience"/>, tier gold).</summary>
    public string Token(string subject = "alice", Action<Dictionary<string, object>>? change = null) =>
        Issuer.Token(Audience, claims =>
        {
            claims["tier"] = "gold";
            change?.Invoke(claims);
        }, subject: subject);

    /// <summary>An access token of the real local issuer (password grant).</summary>
    public async Task<string> IdentityTokenAsync(string username, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(Identity.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "agentgateway-cli",
            ["client_secret"] = "cli-secret",
            ["username"] = username,
            ["password"] = username,
        }), cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!;
    }

    /// <summary>An MCP client of a route, sending <paramref name="headers"/> with every request.</summary>
    public Task<McpClient> ConnectAsync(string route, CancellationToken cancellationToken, IDictionary<string, string>? headers = null, string? protocolVersion = null) =>
        McpTestClient.ConnectAsync(Route(route), cancellationToken, headers, protocolVersion);

    public static Dictionary<string, string> Bearer(string token) => new() { ["Authorization"] = "Bearer " + token };

    /// <summary>An initialize POST to a route, as raw HTTP.</summary>
    public Task<HttpResponseMessage> InitializeAsync(string route, CancellationToken cancellationToken, string? bearer = null, IDictionary<string, string>? headers = null) =>
        McpTestClient.InitializeAsync(Route(route), cancellationToken, bearer, headers);

    /// <summary>Calls the probe's <c>headers</c> tool through <paramref name="client"/>: what the upstream received.</summary>
    public static async Task<JsonElement> UpstreamRequestAsync(McpClient client, CancellationToken cancellationToken, string tool = "headers")
    {
        var result = await client.CallToolAsync(tool, cancellationToken: cancellationToken);
        Assert.NotEqual(true, result.IsError);
        return JsonDocument.Parse(((ModelContextProtocol.Protocol.TextContentBlock)result.Content[0]).Text).RootElement.Clone();
    }

    /// <summary>The proxy's config.</summary>
    private object Config(string keyFile)
    {
        var issuer = Issuer.Issuer;
        var identity = Identity.Issuer.ToString().TrimEnd('/');
        var plain = new { streamableHttp = new { url = Probe.McpEndpoint.ToString() } };
        var secure = new { streamableHttp = new { url = Probe.McpsEndpoint.ToString() } };
        object JwtAuth(string? mode = null) => new
        {
            mode,
            providers = new[] { new { issuer, audiences = new[] { Audience }, requiredClaims = new[] { new { claim = "tier", values = new[] { "gold", "silver" } } } } },
        };
        object Target(object transport, object? auth = null, object? tls = null)
        {
            var target = JsonSerializer.SerializeToNode(transport)!.AsObject();
            target["name"] = "probe";
            if (auth is not null)
            {
                target["auth"] = JsonSerializer.SerializeToNode(auth);
            }

            if (tls is not null)
            {
                target["tls"] = JsonSerializer.SerializeToNode(tls);
            }

            return target;
        }

        object Route(string name, object? policies, object target) => new
        {
            tenant = "acme",
            name,
            path = $"/acme/{name}",
            policies,
            mcp = new { targets = new[] { target } },
        };

        var tokenUrl = identity + "/protocol/openid-connect/token";
        var routes = new[]
        {
            Route("jwt", new { jwtAuth = JwtAuth() }, Target(plain)),
            Route("jwt-optional", new { jwtAuth = JwtAuth("optional") }, Target(plain)),
            Route("keys", new
            {
                apiKeyAuth = new
                {
                    keys = new object[]
                    {
                        new { id = "key-ci", name = "ci", key = new { inline = ApiKey }, metadata = new { team = "platform" } },
                        new { id = "key-old", name = "old", key = new { inline = ExpiredApiKey }, expiresAt = "2020-01-01T00:00:00Z" },
                    },
                },
            }, Target(plain)),
            Route("rbac", new
            {
                jwtAuth = JwtAuth(),
                mcpAuthorization = new
                {
                    rules = new[]
                    {
                        new { name = "alice", expression = "jwt.sub == 'alice'" },
                        new { name = "readers", expression = "has(jwt.groups) && 'readers' in jwt.groups && mcp.tool.name == 'echo'" },
                    },
                },
            }, Target(plain)),
            Route("mcpauth", new
            {
                mcpAuthentication = new
                {
                    authorizationServers = new[] { new { issuer, jwksUri = issuer + "/jwks" } },
                    scopesSupported = new[] { "mcp:tools", "tools:admin" },
                    requiredScopes = new[] { "mcp:tools" },
                    operationScopes = new[] { new { match = "mcp.tool.name == 'headers'", scopes = new[] { "tools:admin" } } },
                    resourceName = "Acme tools",
                },
            }, Target(plain)),
            Route("oauth", new
            {
                mcpAuthentication = new
                {
                    authorizationServers = new[] { new { issuer = identity } },
                    scopesSupported = new[] { "profile" },
                },
            }, Target(plain)),
            Route("authz-grpc", new
            {
                extAuthz = new { grpc = new { address = Probe.GrpcAddress.ToString() }, includeRequestBody = true, contextExtensions = new { route = "authz-grpc" } },
            }, Target(plain)),
            Route("authz-http", new
            {
                extAuthz = new { http = new { url = new Uri(Probe.HttpAddress, "/authz").ToString(), allowedUpstreamHeaders = new[] { "x-authz-user" } } },
            }, Target(plain)),
            Route("authz-down", new
            {
                extAuthz = new { grpc = new { address = $"http://127.0.0.1:{ServiceProcess.GetFreePort()}" }, timeoutMs = 500 },
            }, Target(plain)),
            Route("authz-open", new
            {
                extAuthz = new { grpc = new { address = $"http://127.0.0.1:{ServiceProcess.GetFreePort()}" }, timeoutMs = 500, failureModeAllow = true },
            }, Target(plain)),
            Route("backend-static", null, Target(plain, auth: new { header = new { name = "X-Api-Key", value = new { file = keyFile } } })),
            Route("backend-passthrough", new { jwtAuth = JwtAuth() }, Target(plain, auth: new { passthrough = new { } })),
            Route("backend-cc", null, Target(plain, auth: new
            {
                oauth2ClientCredentials = new { tokenUrl, clientId = "agentgateway-proxy", clientSecret = new { inline = "proxy-secret" }, resource = "http://probe.test/" },
            })),
            Route("backend-exchange", new
            {
                jwtAuth = new { providers = new[] { new { issuer = identity, audiences = new[] { "agentgateway" } } } },
            }, Target(plain, auth: new
            {
                tokenExchange = new { tokenUrl, clientId = "agentgateway-proxy", clientSecret = new { inline = "proxy-secret" }, audience = "urn:probe" },
            })),
            Route("backend-aws", null, Target(plain, auth: new
            {
                awsSigv4 = new
                {
                    region = "us-east-1",
                    service = "execute-api",
                    accessKeyId = new { inline = AwsAccessKey },
                    secretAccessKey = new { inline = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
                },
            })),
            Route("backend-gcp", null, Target(plain, auth: new
            {
                gcpIdentityToken = new { audience = "https://backend.test", serviceAccountKey = new { inline = Probe.GoogleServiceAccountKey } },
            })),
            Route("backend-gcp-access", null, Target(plain, auth: new
            {
                gcpAccessToken = new { scopes = new[] { "https://www.googleapis.com/auth/cloud-platform.read-only" }, serviceAccountKey = new { inline = Probe.GoogleServiceAccountKey } },
            })),
            Route("backend-gcp-machine", null, Target(plain, auth: new { gcpAccessToken = new { proxyIdentity = true } })),
            Route("backend-gcp-machine-id", null, Target(plain, auth: new { gcpIdentityToken = new { audience = "https://backend.test", proxyIdentity = true } })),
            Route("backend-gcp-nobody", null, Target(plain, auth: new { gcpAccessToken = new { } })),
            Route("tls-ca", null, Target(secure, tls: new { caPem = Certificates.AuthorityPem })),
            Route("tls-untrusted", null, Target(secure)),
            Route("tls-mtls", null, Target(secure, tls: new
            {
                caPem = Certificates.AuthorityPem,
                clientCertificatePem = Certificates.ClientCertificatePem,
                clientKeyPem = new { inline = Certificates.ClientKeyPem },
            })),
            Route("tls-sni", null, Target(secure, tls: new { sni = "backend.test", caPem = Certificates.AuthorityPem })),
            Route("tls-insecure", null, Target(secure, tls: new { insecureSkipVerify = true })),
            Route("mcp-headers", new
            {
                requestHeaders = new
                {
                    set = new[] { new { name = "X-Gateway-Route", value = "mcp-headers" } },
                    add = new[] { new { name = "X-Added", value = "one" }, new { name = "X-Added", value = "two" } },
                },
            }, Target(plain)),
        };
        return new { routes };
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (Probe is not null)
        {
            await Probe.DisposeAsync();
        }

        await Identity.DisposeAsync();
        Issuer.Dispose();
        Certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
