using AgentGateway.Contracts.V1;
using Google.Protobuf;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>
/// The URLs in a policy spec that proxies connect to (JWKS, issuers whose discovery documents they fetch, token
/// endpoints, external authorization services, request mirrors, rate-limit services, guard webhooks), with their field paths, for
/// the egress check.
/// </summary>
internal static class PolicyUrls
{
    public static IEnumerable<(string Field, string Url)> Of(IMessage spec, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec switch
        {
            JwtAuthentication jwt => Providers(jwt.Providers, $"{path}.providers"),
            McpAuthentication mcp => Providers(mcp.AuthorizationServers, $"{path}.authorizationServers"),
            ExternalAuthorization { ServiceCase: ExternalAuthorization.ServiceOneofCase.Grpc } extAuthz => [($"{path}.grpc.address", extAuthz.Grpc.Address)],
            ExternalAuthorization { ServiceCase: ExternalAuthorization.ServiceOneofCase.Http } extAuthz => [($"{path}.http.url", extAuthz.Http.Url)],
            BackendAuth { MethodCase: BackendAuth.MethodOneofCase.Oauth2ClientCredentials } auth =>
                [($"{path}.oauth2ClientCredentials.tokenUrl", auth.Oauth2ClientCredentials.TokenUrl)],
            BackendAuth { MethodCase: BackendAuth.MethodOneofCase.TokenExchange } auth => [($"{path}.tokenExchange.tokenUrl", auth.TokenExchange.TokenUrl)],
            BackendAuth { MethodCase: BackendAuth.MethodOneofCase.UserOauth } auth => UserOAuth(auth.UserOauth, $"{path}.userOauth"),
            RoutePolicies policies => policies.Mirrors.Select((mirror, index) => ($"{path}.mirrors[{index}].url", mirror.Url)),
            DistributedRateLimit { ServiceCase: DistributedRateLimit.ServiceOneofCase.Envoy } rateLimit => [($"{path}.envoy.address", rateLimit.Envoy.Address)],
            LlmGuards guards => guards.Webhooks.Select((webhook, index) => ($"{path}.webhooks[{index}].url", webhook.Url)),
            _ => [],
        };
    }

    /// <summary>The control plane's own calls for users' tokens: the token endpoint, and the revocation endpoint when given.</summary>
    private static IEnumerable<(string Field, string Url)> UserOAuth(UserOAuth oauth, string path)
    {
        yield return ($"{path}.tokenUrl", oauth.TokenUrl);
        if (oauth.RevocationUrl.Length > 0)
        {
            yield return ($"{path}.revocationUrl", oauth.RevocationUrl);
        }
    }

    private static IEnumerable<(string Field, string Url)> Providers(IReadOnlyList<JwtProvider> providers, string path)
    {
        for (var index = 0; index < providers.Count; index++)
        {
            var provider = providers[index];
            if (provider.JwksUri.Length > 0)
            {
                yield return ($"{path}[{index}].jwksUri", provider.JwksUri);
            }
            else if (provider.Jwks.Length == 0)
            {
                // The keys are discovered from {issuer}/.well-known/openid-configuration.
                yield return ($"{path}[{index}].issuer", provider.Issuer);
            }
        }
    }
}
