using AgentGateway.Proxy.Pipeline.Authentication.Jwt;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Pipeline.Authentication;

/// <summary>
/// Runs a route's authentication methods on a request. A credential that is present is checked: an API key (in the
/// key header, or as the bearer token) must be one of the route's and unexpired, a bearer JWT must pass MCP
/// authentication (audience: the route's canonical URI) or JWT authentication. A bad credential is refused
/// whatever the mode; a request with none is refused when any method is strict. Tokens of MCP authentication must
/// carry its required scopes (else 403 <c>insufficient_scope</c>).
/// </summary>
internal sealed partial class RequestAuthenticator(JwtValidator jwt, ApiKeyUsageRecorder keyUsage, TimeProvider time, ILogger<RequestAuthenticator> logger)
{
    private const string BearerPrefix = "Bearer ";

    private static readonly AuthenticationResult s_anonymous = AuthenticationResult.Success(GatewayCaller.Anonymous);

    public async Task<AuthenticationResult> AuthenticateAsync(HttpContext context, Route route, RoutePolicyRuntime policies)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!policies.HasAuthentication)
        {
            return s_anonymous;
        }

        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization[BearerPrefix.Length..].Trim() : null;
        var keyHeader = policies.ApiKeyAuth is null ? null : request.Headers[policies.ApiKeyHeader].ToString();

        if (policies.ApiKeyAuth is not null && (keyHeader is { Length: > 0 } || bearer is not null))
        {
            var presented = keyHeader is { Length: > 0 } ? keyHeader : bearer!;
            if (policies.ApiKeysBySha256.TryGetValue(RoutePolicyRuntime.HashKey(presented), out var key))
            {
                if (key.ExpiresAt is { } expiry && expiry.ToDateTimeOffset() <= time.GetUtcNow())
                {
                    return Refuse(request, route, policies, "the API key has expired");
                }

                keyUsage.Record(route.Tenant, key.Id);
                return AuthenticationResult.Success(new GatewayCaller { Subject = "apikey:" + key.Id, ApiKey = key, Authorization = NullIfEmpty(authorization) });
            }

            if (keyHeader is { Length: > 0 } || (policies.Jwt is null && policies.McpAuthentication is null))
            {
                return Refuse(request, route, policies, "the API key is not valid for this route");
            }
        }

        if (bearer is not null && (policies.Jwt is not null || policies.McpAuthentication is not null))
        {
            var validation = await ValidateTokenAsync(request, route, policies, bearer, context.RequestAborted);
            if (!validation.IsValid)
            {
                LogTokenRefused(logger, route.Tenant, route.Name, validation.Error!);
                return Refuse(request, route, policies, validation.Error!);
            }

            var caller = new GatewayCaller
            {
                Subject = $"jwt:{validation.Provider!.Issuer}|{validation.Claims.GetValueOrDefault("sub")}",
                Authorization = authorization,
                BearerToken = bearer,
                Claims = validation.Claims,
                Scopes = validation.Scopes,
            };
            if (policies.McpAuthentication is { } mcp && mcp.AuthorizationServers.Any(server => server.Issuer == validation.Provider.Issuer)
                && mcp.RequiredScopes.Where(scope => !caller.Scopes.Contains(scope)).ToList() is { Count: > 0 } missing)
            {
                return AuthenticationResult.Refused(StatusCodes.Status403Forbidden,
                    $"The token lacks the scope(s) this route requires: {string.Join(' ', missing)}.",
                    ProtectedResourceMetadata.Challenge(request, route, mcp, "insufficient_scope", "more scopes are required", mcp.RequiredScopes));
            }

            return AuthenticationResult.Success(caller);
        }

        return policies.RequiresAuthentication
            ? Refuse(request, route, policies, null)
            : s_anonymous;
    }

    private async Task<JwtValidation> ValidateTokenAsync(HttpRequest request, Route route, RoutePolicyRuntime policies, string token, CancellationToken cancellationToken)
    {
        JwtValidation? result = null;
        if (policies.McpAuthentication is { } mcp)
        {
            var resource = ProtectedResourceMetadata.Resource(request, route, mcp);
            result = await jwt.ValidateAsync(token, mcp.AuthorizationServers, [resource, resource.EndsWith('/') ? resource.TrimEnd('/') : resource + "/"], cancellationToken);
        }

        if (result is not { IsValid: true } && policies.Jwt is { } generic)
        {
            var second = await jwt.ValidateAsync(token, generic.Providers, null, cancellationToken);
            result = second.IsValid || result is null ? second : result;
        }

        return result!;
    }

    private static AuthenticationResult Refuse(HttpRequest request, Route route, RoutePolicyRuntime policies, string? error)
    {
        var message = error is null
            ? "Authentication required: send a bearer token or an API key accepted by this route."
            : $"Authentication failed: {error}.";
        var challenge = policies.McpAuthentication is { } mcp
            ? ProtectedResourceMetadata.Challenge(request, route, mcp, error is null ? null : "invalid_token", error)
            : error is null ? "Bearer realm=\"agentgateway\"" : $"Bearer realm=\"agentgateway\", error=\"invalid_token\", error_description=\"{ProtectedResourceMetadata.Quote(error)}\"";
        return AuthenticationResult.Refused(StatusCodes.Status401Unauthorized, message, challenge);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Tenant}/{Route}: token refused: {Reason}")]
    private static partial void LogTokenRefused(ILogger logger, string tenant, string route, string reason);
}
