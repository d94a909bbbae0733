using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Configuration;

/// <summary>
/// Checks a complete set of routes before it may replace the running config. Every error names the route and
/// field, so an operator (or the control plane reading a NACK) knows what to change.
/// </summary>
internal static class SnapshotValidator
{
    public static IReadOnlyList<string> Validate(IReadOnlyCollection<Route> routes, IReadOnlyCollection<SessionKey> sessionKeys, EgressPolicy? egress = null)
    {
        var errors = new List<string>();
        ValidateSessionKeys(sessionKeys, errors);
        var egressErrors = new List<ConfigError>();
        PolicyValidator.Validate(egress, "egress", egressErrors);
        errors.AddRange(egressErrors.Select(error => error.ToString()));
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var label = $"route '{route.Tenant}/{route.Name}'";
            if (!Names.IsValid(route.Tenant))
            {
                errors.Add($"{label}: tenant {Names.Rule}");
            }

            if (!Names.IsValid(route.Name))
            {
                errors.Add($"{label}: name {Names.Rule}");
            }

            var matchErrors = new List<ConfigError>();
            RouteValidator.Validate(route.Match, route.BackendCase, "match", matchErrors);
            errors.AddRange(matchErrors.Select(error => $"{label}: {error}"));
            if (matchErrors.Count == 0 && !paths.TryAdd(MatchKey(route.Match!), label))
            {
                errors.Add($"{label}: another route ({paths[MatchKey(route.Match!)]}) has the same match");
            }

            // Secrets arrive resolved: from the control plane, and from a file once it has been read.
            var policyErrors = new List<ConfigError>();
            PolicyValidator.Validate(route.Policies, "policies", SecretSources.Inline, policyErrors);
            if (route.BackendCase == Route.BackendOneofCase.Mcp)
            {
                PolicyValidator.Validate(route.Mcp.ToolPinning, "mcp.toolPinning", policyErrors);
                for (var index = 0; index < route.Mcp.Targets.Count; index++)
                {
                    PolicyValidator.Validate(route.Mcp.Targets[index].Auth, $"mcp.targets[{index}].auth", SecretSources.Inline, policyErrors);
                    PolicyValidator.Validate(route.Mcp.Targets[index].Tls, $"mcp.targets[{index}].tls", SecretSources.Inline, policyErrors);
                }
            }

            errors.AddRange(policyErrors.Select(error => $"{label}: {error}"));

            switch (route.BackendCase)
            {
                case Route.BackendOneofCase.Mcp:
                    ValidateMcp(label, route.Mcp, errors);
                    break;
                case Route.BackendOneofCase.Http:
                    ValidateBackend(label, "http", route.Http.Auth, route.Http.Tls, problems => RouteValidator.Validate(route.Http, "http", problems), errors);
                    break;
                case Route.BackendOneofCase.A2A:
                    ValidateBackend(label, "a2a", route.A2A.Auth, route.A2A.Tls, problems => RouteValidator.Validate(route.A2A, "a2a", problems), errors);
                    break;
                case Route.BackendOneofCase.Llm:
                    ValidateLlm(label, route.Llm, errors);
                    break;
                default:
                    errors.Add($"{label}: a backend is required");
                    break;
            }
        }

        return errors;
    }

    /// <summary>An LLM backend: its own rules, then each provider's auth and TLS (secrets arrive resolved).</summary>
    private static void ValidateLlm(string label, LlmBackend llm, List<string> errors)
    {
        var problems = new List<ConfigError>();
        RouteValidator.Validate(llm, "llm", problems);
        for (var index = 0; index < llm.Providers.Count; index++)
        {
            PolicyValidator.Validate(llm.Providers[index].Auth, $"llm.providers[{index}].auth", SecretSources.Inline, problems);
            PolicyValidator.Validate(llm.Providers[index].Tls, $"llm.providers[{index}].tls", SecretSources.Inline, problems);
        }

        errors.AddRange(problems.Select(error => $"{label}: {error}"));
    }

    /// <summary>An HTTP or A2A backend: its own rules, then its auth and TLS (secrets arrive resolved).</summary>
    private static void ValidateBackend(
        string label, string field, BackendAuth? auth, BackendTls? tls, Action<List<ConfigError>> validate, List<string> errors)
    {
        var problems = new List<ConfigError>();
        validate(problems);
        PolicyValidator.Validate(auth, $"{field}.auth", SecretSources.Inline, problems);
        PolicyValidator.Validate(tls, $"{field}.tls", SecretSources.Inline, problems);
        errors.AddRange(problems.Select(error => $"{label}: {error}"));
    }

    /// <summary>What two routes may not share: the same path (of any kind) with the same conditions.</summary>
    private static string MatchKey(RouteMatch match) =>
        string.Join('\n', match.Path, match.PathPrefix, match.PathRegex, string.Join(',', match.Hosts.Order(StringComparer.Ordinal)),
            string.Join(',', match.Methods.Order(StringComparer.Ordinal)), match.Headers.ToString(), match.Query.ToString());

    private static void ValidateSessionKeys(IReadOnlyCollection<SessionKey> keys, List<string> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (string.IsNullOrEmpty(key.Id) || !ids.Add(key.Id))
            {
                errors.Add($"session key '{key.Id}': ids must be non-empty and distinct");
            }

            if (key.Key.Length != 32)
            {
                errors.Add($"session key '{key.Id}': key must be 32 bytes, not {key.Key.Length}");
            }
        }

        if (keys.Count > 0 && keys.Count(key => key.Primary) != 1)
        {
            errors.Add("session keys: exactly one key must be primary");
        }
    }

    private static void ValidateMcp(string label, McpBackend backend, List<string> errors)
    {
        if (backend.Targets.Count == 0)
        {
            errors.Add($"{label}: mcp.targets must name at least one target");
        }

        if (backend.TargetTimeoutMs > 600_000)
        {
            errors.Add($"{label}: mcp.targetTimeoutMs must be at most 600000 (10 minutes)");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in backend.Targets)
        {
            var targetLabel = $"{label} target '{target.Name}'";
            if (!Names.IsValid(target.Name))
            {
                errors.Add($"{targetLabel}: name {Names.Rule}");
            }
            else if (!names.Add(target.Name))
            {
                errors.Add($"{targetLabel}: target names must be distinct within a route");
            }

            switch (target.TransportCase)
            {
                case McpTarget.TransportOneofCase.StreamableHttp:
                    if (!Uri.TryCreate(target.StreamableHttp.Url, UriKind.Absolute, out var url)
                        || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                    {
                        errors.Add($"{targetLabel}: streamableHttp.url must be an absolute http(s) URL");
                    }

                    break;
                case McpTarget.TransportOneofCase.Sse:
                    if (!Uri.TryCreate(target.Sse.Url, UriKind.Absolute, out var sseUrl)
                        || (sseUrl.Scheme != Uri.UriSchemeHttp && sseUrl.Scheme != Uri.UriSchemeHttps))
                    {
                        errors.Add($"{targetLabel}: sse.url must be an absolute http(s) URL");
                    }

                    break;
                case McpTarget.TransportOneofCase.Openapi:
                    if (!Uri.TryCreate(target.Openapi.SpecUrl, UriKind.Absolute, out var specUrl)
                        || (specUrl.Scheme != Uri.UriSchemeHttp && specUrl.Scheme != Uri.UriSchemeHttps))
                    {
                        errors.Add($"{targetLabel}: openapi.specUrl must be an absolute http(s) URL");
                    }

                    if (target.Openapi.BaseUrl.Length > 0 && !Uri.TryCreate(target.Openapi.BaseUrl, UriKind.Absolute, out _))
                    {
                        errors.Add($"{targetLabel}: openapi.baseUrl must be an absolute URL when set");
                    }

                    break;
                case McpTarget.TransportOneofCase.Stdio:
                    if (string.IsNullOrWhiteSpace(target.Stdio.Command))
                    {
                        errors.Add($"{targetLabel}: stdio.command is required");
                    }

                    break;
                default:
                    errors.Add($"{targetLabel}: a transport is required");
                    break;
            }
        }
    }
}
