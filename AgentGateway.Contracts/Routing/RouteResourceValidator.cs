using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Routing;

/// <summary>
/// Everything a proxy checks of one <see cref="Route"/> resource before it serves it: its names, its match and its
/// tenant's namespace (<see cref="TenantNamespace"/>), its policies and its backend. The control plane runs the same
/// checks on every route it is about to send, so what it accepts is what proxies build; a proxy refuses a route that
/// fails them and serves the rest.
/// </summary>
public static class RouteResourceValidator
{
    /// <summary>
    /// The errors of <paramref name="route"/>, with field paths as the resource's JSON names them. Secrets arrive
    /// resolved (<see cref="SecretSources.Inline"/>): from the control plane, and from a file once it has been read.
    /// </summary>
    public static void Validate(Route route, HostGrantSet grants, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentNullException.ThrowIfNull(errors);
        if (!Names.IsValid(route.Tenant))
        {
            errors.Add(new ConfigError("tenant", Names.Rule));
        }

        if (!Names.IsValid(route.Name))
        {
            errors.Add(new ConfigError("name", Names.Rule));
        }

        RouteValidator.Validate(route.Match, route.BackendCase, "match", errors);
        if (Names.IsValid(route.Tenant))
        {
            TenantNamespace.Validate(route.Tenant, route.Match, grants, "match", errors);
        }

        PolicyValidator.Validate(route.Policies, "policies", SecretSources.Inline, errors);
        PolicyKinds.ValidateEffect(route.Policies, RouteKinds.Of(route), "policies", errors);
        switch (route.BackendCase)
        {
            case Route.BackendOneofCase.Mcp:
                ValidateMcp(route.Mcp, errors);
                break;
            case Route.BackendOneofCase.Http:
                RouteValidator.Validate(route.Http, "http", errors);
                PolicyValidator.Validate(route.Http.Auth, "http.auth", SecretSources.Inline, errors);
                NotUserOAuth(route.Http.Auth, "http.auth", errors);
                PolicyValidator.Validate(route.Http.Tls, "http.tls", SecretSources.Inline, errors);
                break;
            case Route.BackendOneofCase.A2A:
                RouteValidator.Validate(route.A2A, "a2a", errors);
                PolicyValidator.Validate(route.A2A.Auth, "a2a.auth", SecretSources.Inline, errors);
                NotUserOAuth(route.A2A.Auth, "a2a.auth", errors);
                PolicyValidator.Validate(route.A2A.Tls, "a2a.tls", SecretSources.Inline, errors);
                break;
            case Route.BackendOneofCase.Llm:
                RouteValidator.Validate(route.Llm, "llm", errors);
                for (var index = 0; index < route.Llm.Providers.Count; index++)
                {
                    PolicyValidator.Validate(route.Llm.Providers[index].Auth, $"llm.providers[{index}].auth", SecretSources.Inline, errors);
                    NotUserOAuth(route.Llm.Providers[index].Auth, $"llm.providers[{index}].auth", errors);
                    PolicyValidator.Validate(route.Llm.Providers[index].Tls, $"llm.providers[{index}].tls", SecretSources.Inline, errors);
                }

                break;
            default:
                errors.Add(new ConfigError("backend", "is required: one of mcp, http, a2a and llm"));
                break;
        }
    }

    /// <summary>What two routes may not share: the same path (of any kind) with the same conditions.</summary>
    public static string MatchKey(RouteMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return string.Join('\n', match.Path, match.PathPrefix, match.PathRegex, string.Join(',', match.Hosts.Order(StringComparer.Ordinal)),
            string.Join(',', match.Methods.Order(StringComparer.Ordinal)), match.Headers.ToString(), match.Query.ToString());
    }

    private static void ValidateMcp(McpBackend backend, List<ConfigError> errors)
    {
        PolicyValidator.Validate(backend.ToolPinning, "mcp.toolPinning", errors);
        if (backend.Targets.Count == 0)
        {
            errors.Add(new ConfigError("mcp.targets", "must name at least one target"));
        }

        if (backend.TargetTimeoutMs > 600_000)
        {
            errors.Add(new ConfigError("mcp.targetTimeoutMs", "must be at most 600000 (10 minutes)"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < backend.Targets.Count; index++)
        {
            var target = backend.Targets[index];
            var field = $"mcp.targets[{index}]";
            if (!Names.IsValid(target.Name))
            {
                errors.Add(new ConfigError($"{field}.name", Names.Rule));
            }
            else if (!names.Add(target.Name))
            {
                errors.Add(new ConfigError($"{field}.name", $"'{target.Name}' names another target of the route too"));
            }

            PolicyValidator.Validate(target.Auth, $"{field}.auth", SecretSources.Inline, errors);
            PolicyValidator.Validate(target.Tls, $"{field}.tls", SecretSources.Inline, errors);
            if (target.Auth?.UserOauth is { } userOAuth && (userOAuth.Connection.Length == 0 || userOAuth.Tenant.Length == 0))
            {
                errors.Add(new ConfigError($"{field}.auth.userOauth", "needs the control plane's token vault: serve the route from the control plane (xDS), which names the connection"));
            }
            else if (target.Auth?.UserOauth is not null && target.TransportCase == McpTarget.TransportOneofCase.Openapi)
            {
                errors.Add(new ConfigError($"{field}.auth.userOauth", "is for MCP servers spoken to over HTTP: an OpenAPI target's document is read for every caller at once"));
            }
            switch (target.TransportCase)
            {
                case McpTarget.TransportOneofCase.StreamableHttp:
                    HttpUrl(target.StreamableHttp.Url, $"{field}.streamableHttp.url", errors);
                    PolicyValidator.HeaderNames(target.StreamableHttp.Headers.Keys, $"{field}.streamableHttp.headers", errors);
                    break;
                case McpTarget.TransportOneofCase.Sse:
                    HttpUrl(target.Sse.Url, $"{field}.sse.url", errors);
                    PolicyValidator.HeaderNames(target.Sse.Headers.Keys, $"{field}.sse.headers", errors);
                    break;
                case McpTarget.TransportOneofCase.Openapi:
                    HttpUrl(target.Openapi.SpecUrl, $"{field}.openapi.specUrl", errors);
                    if (target.Openapi.BaseUrl.Length > 0 && !PolicyValidator.IsHttpUrl(target.Openapi.BaseUrl, out _))
                    {
                        errors.Add(new ConfigError($"{field}.openapi.baseUrl", "must be an absolute http(s) URL when set"));
                    }

                    PolicyValidator.HeaderNames(target.Openapi.Headers.Keys, $"{field}.openapi.headers", errors);
                    break;
                case McpTarget.TransportOneofCase.Stdio:
                    if (string.IsNullOrWhiteSpace(target.Stdio.Command))
                    {
                        errors.Add(new ConfigError($"{field}.stdio.command", "is required"));
                    }

                    break;
                default:
                    errors.Add(new ConfigError(field, "needs a transport: streamableHttp, sse, stdio or openapi"));
                    break;
            }
        }
    }

    private static void HttpUrl(string value, string field, List<ConfigError> errors)
    {
        if (!PolicyValidator.IsHttpUrl(value, out _))
        {
            errors.Add(new ConfigError(field, "must be an absolute http(s) URL"));
        }
    }

    /// <summary>Users' own tokens are kept for MCP servers only: other backends have no way to ask a caller to authorize.</summary>
    private static void NotUserOAuth(BackendAuth? auth, string path, List<ConfigError> errors)
    {
        if (auth?.MethodCase == BackendAuth.MethodOneofCase.UserOauth)
        {
            errors.Add(new ConfigError($"{path}.userOauth", "is for MCP servers only: HTTP, A2A and LLM backends cannot ask a caller to authorize"));
        }
    }
}
