using System.Text.RegularExpressions;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Routing;

/// <summary>
/// The rules of a route's match and of its HTTP and A2A backends, shared by the control plane (a 400 naming the field)
/// and the proxy (a NACK or a file error).
/// </summary>
public static partial class RouteValidator
{
    /// <summary>How long one regular expression of a match may run on one request before it counts as no match.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(50);

    private static readonly string[] s_methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"];

    public static void Validate(RouteMatch? match, Route.BackendOneofCase backend, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (match is null)
        {
            errors.Add(new ConfigError(path, "is required: the route's path"));
            return;
        }

        var kinds = (match.Path.Length > 0 ? 1 : 0) + (match.PathPrefix.Length > 0 ? 1 : 0) + (match.PathRegex.Length > 0 ? 1 : 0);
        if (kinds != 1)
        {
            errors.Add(new ConfigError(path, "needs exactly one of path, pathPrefix and pathRegex"));
        }
        else if (backend is Route.BackendOneofCase.Mcp or Route.BackendOneofCase.A2A or Route.BackendOneofCase.Llm && match.Path.Length == 0)
        {
            var kind = backend switch { Route.BackendOneofCase.Mcp => "MCP", Route.BackendOneofCase.A2A => "A2A", _ => "LLM" };
            errors.Add(new ConfigError(PolicyValidator.Join(path, "path"), $"is required for {kind} routes (pathPrefix and pathRegex are for HTTP routes)"));
        }

        RequestPath(match.Path, PolicyValidator.Join(path, "path"), errors);
        RequestPath(match.PathPrefix, PolicyValidator.Join(path, "pathPrefix"), errors);
        if (match.PathRegex.Length > 0)
        {
            Pattern(match.PathRegex, PolicyValidator.Join(path, "pathRegex"), errors);
        }

        for (var index = 0; index < match.Hosts.Count; index++)
        {
            if (!IsHostPattern(match.Hosts[index]))
            {
                errors.Add(new ConfigError($"{PolicyValidator.Join(path, "hosts")}[{index}]",
                    "must be a lower-case host name without port, optionally starting with '*.' (e.g. api.example.com or *.example.com)"));
            }
        }

        for (var index = 0; index < match.Methods.Count; index++)
        {
            if (!s_methods.Contains(match.Methods[index], StringComparer.Ordinal))
            {
                errors.Add(new ConfigError($"{PolicyValidator.Join(path, "methods")}[{index}]", $"must be one of {string.Join(", ", s_methods)}"));
            }
        }

        for (var index = 0; index < match.Headers.Count; index++)
        {
            var header = match.Headers[index];
            Condition(header.Name, header.Exact, header.Regex, $"{PolicyValidator.Join(path, "headers")}[{index}]", true, errors);
        }

        for (var index = 0; index < match.Query.Count; index++)
        {
            var query = match.Query[index];
            Condition(query.Name, query.Exact, query.Regex, $"{PolicyValidator.Join(path, "query")}[{index}]", false, errors);
        }
    }

    public static void Validate(HttpBackend http, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(errors);
        if (http.Destinations.Count == 0)
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "destinations"), "needs at least one destination"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < http.Destinations.Count; index++)
        {
            var destination = http.Destinations[index];
            var field = $"{PolicyValidator.Join(path, "destinations")}[{index}]";
            if (!Names.IsValid(destination.Name))
            {
                errors.Add(new ConfigError(PolicyValidator.Join(field, "name"), Names.Rule));
            }
            else if (!names.Add(destination.Name))
            {
                errors.Add(new ConfigError(PolicyValidator.Join(field, "name"), $"'{destination.Name}' is used by another destination"));
            }

            if (!PolicyValidator.IsHttpUrl(destination.Url, out var uri) || uri!.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                errors.Add(new ConfigError(PolicyValidator.Join(field, "url"), "must be an absolute http(s) URL without query or fragment"));
            }

            if (destination.Weight > 10_000)
            {
                errors.Add(new ConfigError(PolicyValidator.Join(field, "weight"), "must be at most 10000"));
            }
        }

        Validate(http.ActiveHealthCheck, path, pathRequired: true, errors);
        Validate(http.PassiveHealthCheck, path, errors);
    }

    /// <summary>Probes: a path (required for HTTP destinations; LLM providers default to their model list) and their timing.</summary>
    private static void Validate(ActiveHealthCheck? active, string path, bool pathRequired, List<ConfigError> errors)
    {
        if (active is null)
        {
            return;
        }

        var field = PolicyValidator.Join(path, "activeHealthCheck");
        RequestPath(active.Path, PolicyValidator.Join(field, "path"), errors);
        if (pathRequired && active.Path.Length == 0)
        {
            errors.Add(new ConfigError(PolicyValidator.Join(field, "path"), "is required, e.g. /healthz"));
        }

        Range(active.IntervalMs, 100, 3_600_000, PolicyValidator.Join(field, "intervalMs"), errors);
        Range(active.TimeoutMs, 10, 60_000, PolicyValidator.Join(field, "timeoutMs"), errors);
        Range(active.UnhealthyThreshold, 1, 100, PolicyValidator.Join(field, "unhealthyThreshold"), errors);
        Range(active.HealthyThreshold, 1, 100, PolicyValidator.Join(field, "healthyThreshold"), errors);
        Statuses(active.ExpectedStatuses, PolicyValidator.Join(field, "expectedStatuses"), errors);
    }

    private static void Validate(PassiveHealthCheck? passive, string path, List<ConfigError> errors)
    {
        if (passive is not null)
        {
            var field = PolicyValidator.Join(path, "passiveHealthCheck");
            Range(passive.ConsecutiveFailures, 1, 1000, PolicyValidator.Join(field, "consecutiveFailures"), errors);
            Range(passive.EjectionMs, 100, 3_600_000, PolicyValidator.Join(field, "ejectionMs"), errors);
        }
    }

    public static void Validate(A2aBackend a2a, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(a2a);
        ArgumentNullException.ThrowIfNull(errors);
        if (!PolicyValidator.IsHttpUrl(a2a.Url, out var uri) || uri!.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "url"), "must be an absolute http(s) URL without query or fragment"));
        }

        if (a2a.CardUrl.Length > 0 && !PolicyValidator.IsHttpUrl(a2a.CardUrl, out _))
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "cardUrl"), "must be an absolute http(s) URL"));
        }

        PolicyValidator.HeaderNames(a2a.Headers.Keys, PolicyValidator.Join(path, "headers"), errors);
    }

    public static void Validate(LlmBackend llm, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(llm);
        ArgumentNullException.ThrowIfNull(errors);
        if (llm.Providers.Count == 0)
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "providers"), "needs at least one provider"));
        }

        var providers = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < llm.Providers.Count; index++)
        {
            var provider = llm.Providers[index];
            var field = $"{PolicyValidator.Join(path, "providers")}[{index}]";
            if (Names.IsValid(provider.Name) && !providers.Add(provider.Name))
            {
                errors.Add(new ConfigError(PolicyValidator.Join(field, "name"), $"'{provider.Name}' is used by another provider"));
            }

            Validate(provider, field, errors);
        }

        ValidateModels(llm, path, errors);
    }

    /// <summary>One LLM provider: its name, kind, base URL, timeout, and the options of its kind.</summary>
    public static void Validate(LlmProvider provider, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(errors);
        if (!Names.IsValid(provider.Name))
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "name"), Names.Rule));
        }

        if (!Enum.IsDefined(provider.Kind))
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "kind"), "must be 'openai', 'azure-openai', 'anthropic', 'gemini', 'bedrock' or 'vertex-ai'"));
        }

        if (provider.ApiVersion.Length > 0 && (provider.Kind != LlmProviderKind.AzureOpenai || !AzureApiVersion().IsMatch(provider.ApiVersion)))
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "apiVersion"), provider.Kind != LlmProviderKind.AzureOpenai
                ? "is for 'azure-openai' providers only"
                : "must be an Azure OpenAI api-version such as 2024-10-21 or 2025-04-01-preview"));
        }

        if (provider.NativeResponses && provider.Kind is not (LlmProviderKind.Openai or LlmProviderKind.AzureOpenai))
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "nativeResponses"), "is for 'openai' and 'azure-openai' providers only"));
        }

        if (!PolicyValidator.IsHttpUrl(provider.Url, out var uri) || uri!.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "url"), "must be an absolute http(s) URL without query or fragment"));
        }

        Range(provider.TimeoutMs, 1, 3_600_000, PolicyValidator.Join(path, "timeoutMs"), errors);
    }

    /// <summary>
    /// An LLM backend's models and passive health check: model names unique, each with targets that name providers of
    /// the backend (whose own settings are checked apart, e.g. where a catalog holds them).
    /// </summary>
    public static void ValidateModels(LlmBackend llm, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(llm);
        ArgumentNullException.ThrowIfNull(errors);
        Validate(llm.ActiveHealthCheck, path, pathRequired: false, errors);
        Validate(llm.PassiveHealthCheck, path, errors);
        var models = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < llm.Models.Count; index++)
        {
            var model = llm.Models[index];
            var field = $"{PolicyValidator.Join(path, "models")}[{index}]";
            if (model.Name.Length == 0 || model.Name.Length > 256 || model.Name.Any(char.IsControl))
            {
                errors.Add(new ConfigError(PolicyValidator.Join(field, "name"), "must be 1-256 characters without control characters"));
            }
            else if (!models.Add(model.Name))
            {
                errors.Add(new ConfigError(PolicyValidator.Join(field, "name"), $"'{model.Name}' is used by another model"));
            }

            if (model.Targets.Count == 0)
            {
                errors.Add(new ConfigError(PolicyValidator.Join(field, "targets"), "needs at least one target"));
            }

            for (var targetIndex = 0; targetIndex < model.Targets.Count; targetIndex++)
            {
                var target = model.Targets[targetIndex];
                var targetField = $"{PolicyValidator.Join(field, "targets")}[{targetIndex}]";
                if (!llm.Providers.Any(provider => provider.Name == target.Provider))
                {
                    errors.Add(new ConfigError(PolicyValidator.Join(targetField, "provider"), $"'{target.Provider}' is not a provider of the route"));
                }

                Range(target.Weight, 0, 10_000, PolicyValidator.Join(targetField, "weight"), errors);
            }
        }
    }

    /// <summary>
    /// The regex of a match as proxies run it: it must match the whole input. Validation compiles this same form, so a
    /// pattern that would only fail once wrapped (an x-mode comment swallowing the closing parenthesis) is refused.
    /// </summary>
    public static Regex WholeInput(string pattern) => new($"^(?:{pattern})$", RegexOptions.CultureInvariant, RegexTimeout);

    /// <summary>Whether <paramref name="value"/> is a host name, or one with a leading wildcard label.</summary>
    public static bool IsHostPattern(string value) => HostPattern().IsMatch(value);

    /// <summary>
    /// A path as requests carry it once the server has decoded and normalized it: no query, fragment, empty segment,
    /// dot segment, percent-encoding, backslash or control character (none of which a normalized request path has, so
    /// a route naming one would never match, or match something else than it reads).
    /// </summary>
    private static void RequestPath(string value, string path, List<ConfigError> errors)
    {
        if (value.Length > 0 && (value[0] != '/' || value.Length > 2048 || value.AsSpan().IndexOfAny(s_pathForbidden) >= 0 || value.Contains("//", StringComparison.Ordinal)
            || value.EndsWith("/.", StringComparison.Ordinal) || value.EndsWith("/..", StringComparison.Ordinal)
            || value.Contains("/./", StringComparison.Ordinal) || value.Contains("/../", StringComparison.Ordinal)))
        {
            errors.Add(new ConfigError(path, "must start with '/', be at most 2048 characters and have no query, fragment, empty or dot segment, '%', '\\' or control character"));
        }
    }

    private static readonly System.Buffers.SearchValues<char> s_pathForbidden = System.Buffers.SearchValues.Create(
        "?#%\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    private static void Condition(string name, string exact, string regex, string path, bool header, List<ConfigError> errors)
    {
        if (header)
        {
            PolicyValidator.HeaderNames([name], PolicyValidator.Join(path, "name"), errors);
        }

        if (name.Length == 0)
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "name"), "is required"));
        }

        if (exact.Length > 0 && regex.Length > 0)
        {
            errors.Add(new ConfigError(path, "takes exact or regex, not both"));
        }

        if (regex.Length > 0)
        {
            Pattern(regex, PolicyValidator.Join(path, "regex"), errors);
        }
    }

    private static void Pattern(string pattern, string path, List<ConfigError> errors)
    {
        if (pattern.Length > 1024)
        {
            errors.Add(new ConfigError(path, "must be at most 1024 characters"));
            return;
        }

        try
        {
            _ = WholeInput(pattern);
        }
        catch (ArgumentException exception)
        {
            errors.Add(new ConfigError(path, $"is not a valid regular expression: {exception.Message}"));
        }
    }

    private static void Range(uint value, uint min, uint max, string path, List<ConfigError> errors)
    {
        if (value != 0 && (value < min || value > max))
        {
            errors.Add(new ConfigError(path, $"must be between {min} and {max} (or 0 for the default)"));
        }
    }

    private static void Statuses(IEnumerable<uint> statuses, string path, List<ConfigError> errors)
    {
        if (statuses.Any(status => status is < 100 or > 599))
        {
            errors.Add(new ConfigError(path, "must be HTTP statuses (100-599)"));
        }
    }

    [GeneratedRegex(@"^20[0-9]{2}-[01][0-9]-[0-3][0-9](-preview)?$", RegexOptions.CultureInvariant)]
    private static partial Regex AzureApiVersion();

    [GeneratedRegex(@"^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();
}
