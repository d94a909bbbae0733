using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using Route = AgentGateway.Contracts.V1.Route;
using V1 = AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>
/// Builds and checks route definitions: request fields to <see cref="RouteMatch"/> and <see cref="HttpBackend"/>,
/// validated by the shared <see cref="RouteValidator"/> and <see cref="TenantNamespace"/> (their field paths are the
/// request's JSON names): a route lives under <c>/{tenant}</c> unless the tenant was granted its hosts.
/// </summary>
internal static class RouteDefinitions
{
    /// <summary>The fields of a create or update request that describe the route's match and backend.</summary>
    public sealed record Fields(
        string? Kind, string? Path, string? PathPrefix, string? PathRegex, List<string>? Hosts, List<string>? Methods,
        List<RouteCondition>? Headers, List<RouteCondition>? Query, List<RouteDestination>? Destinations,
        RouteActiveHealthCheck? ActiveHealthCheck, RoutePassiveHealthCheck? PassiveHealthCheck, bool? PreserveHost,
        List<string>? Providers = null, List<RouteLlmModel>? Models = null);

    public static RouteDefinition? Build(Dictionary<string, string[]> errors, string tenant, string? name, Fields fields, HostGrantSet grants)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(grants);
        var kind = fields.Kind ?? RouteKinds.Mcp;
        var backend = kind switch
        {
            RouteKinds.Mcp => Route.BackendOneofCase.Mcp,
            RouteKinds.Http => Route.BackendOneofCase.Http,
            RouteKinds.A2a => Route.BackendOneofCase.A2A,
            RouteKinds.Llm => Route.BackendOneofCase.Llm,
            _ => Route.BackendOneofCase.None,
        };
        if (backend == Route.BackendOneofCase.None)
        {
            errors["kind"] = [$"must be '{RouteKinds.Mcp}' (federates MCP servers), '{RouteKinds.Http}' (forwards to destinations), '{RouteKinds.A2a}' (an agent of the tenant) or '{RouteKinds.Llm}' (the tenant's LLM providers)."];
            return null;
        }

        var match = new RouteMatch
        {
            Path = fields.Path ?? string.Empty,
            PathPrefix = fields.PathPrefix ?? string.Empty,
            PathRegex = fields.PathRegex ?? string.Empty,
        };
        if (match.Path.Length == 0 && match.PathPrefix.Length == 0 && match.PathRegex.Length == 0)
        {
            var defaultPath = $"/{tenant}/{name}";
            if (backend == Route.BackendOneofCase.Http)
            {
                match.PathPrefix = defaultPath;
            }
            else
            {
                match.Path = defaultPath;
            }
        }

        Strings(errors, "hosts", fields.Hosts, match.Hosts);
        Strings(errors, "methods", fields.Methods, match.Methods);
        foreach (var header in fields.Headers ?? [])
        {
            match.Headers.Add(new HeaderMatch { Name = header?.Name ?? string.Empty, Exact = header?.Exact ?? string.Empty, Regex = header?.Regex ?? string.Empty, Invert = header?.Invert ?? false });
        }

        foreach (var query in fields.Query ?? [])
        {
            match.Query.Add(new QueryParameterMatch { Name = query?.Name ?? string.Empty, Exact = query?.Exact ?? string.Empty, Regex = query?.Regex ?? string.Empty, Invert = query?.Invert ?? false });
        }

        var problems = new List<ConfigError>();
        RouteValidator.Validate(match, backend, string.Empty, problems);
        // A route stays under /{tenant} unless a platform admin granted the tenant its hosts; proxies check the same.
        TenantNamespace.Validate(tenant, match, grants, string.Empty, problems);
        Validation.RoutePath(errors, "path", match.Path);
        Validation.RoutePath(errors, "pathPrefix", match.PathPrefix);

        HttpBackend? http = null;
        if (backend == Route.BackendOneofCase.Http)
        {
            http = BuildHttp(errors, fields);
            if (http is not null)
            {
                RouteValidator.Validate(http, string.Empty, problems);
            }
        }
        else
        {
            OnlyFor(errors, "destinations", fields.Destinations is { Count: > 0 }, "HTTP routes (kind 'http')");
            OnlyFor(errors, "activeHealthCheck", fields.ActiveHealthCheck is not null && backend != Route.BackendOneofCase.Llm, "HTTP and LLM routes");
            OnlyFor(errors, "passiveHealthCheck", fields.PassiveHealthCheck is not null && backend != Route.BackendOneofCase.Llm, "HTTP and LLM routes");
            OnlyFor(errors, "preserveHost", fields.PreserveHost == true, "HTTP routes (kind 'http')");
        }

        LlmBackend? llm = null;
        if (backend == Route.BackendOneofCase.Llm)
        {
            llm = BuildLlm(errors, fields);
            RouteValidator.ValidateModels(llm, string.Empty, problems);
        }
        else
        {
            OnlyFor(errors, "providers", fields.Providers is { Count: > 0 }, "LLM routes (kind 'llm')");
            OnlyFor(errors, "models", fields.Models is { Count: > 0 }, "LLM routes (kind 'llm')");
        }

        foreach (var problem in problems)
        {
            Validation.Add(errors, problem.Field.Length == 0 ? "path" : problem.Field, problem.Message + ".");
        }

        return new RouteDefinition(kind, match, http, llm);
    }

    /// <summary>The match and backend of a stored route, as proxies receive them.</summary>
    public static RouteDefinition Of(GatewayRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var errors = new List<ConfigError>();
        var match = route.Conditions is null ? new RouteMatch() : ProtoJson.Parse<RouteMatch>(route.Conditions, string.Empty, errors);
        match.Path = route.Path ?? string.Empty;
        match.PathPrefix = route.PathPrefix ?? string.Empty;
        match.PathRegex = route.PathRegex ?? string.Empty;
        match.Hosts.Clear();
        match.Hosts.Add(route.Hosts);
        var http = route.Kind == RouteKinds.Http ? route.Http is null ? new HttpBackend() : ProtoJson.Parse<HttpBackend>(route.Http, string.Empty, errors) : null;
        var llm = route.Kind == RouteKinds.Llm ? route.Llm is null ? new LlmBackend() : ProtoJson.Parse<LlmBackend>(route.Llm, string.Empty, errors) : null;
        return new RouteDefinition(route.Kind, match, http, llm);
    }

    /// <summary>Stores a definition on the route entity.</summary>
    public static void Apply(GatewayRoute route, RouteDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(definition);
        var match = definition.Match;
        route.Kind = definition.Kind;
        route.Path = NullIfEmpty(match.Path);
        route.PathPrefix = NullIfEmpty(match.PathPrefix);
        route.PathRegex = NullIfEmpty(match.PathRegex);
        route.Hosts = [.. match.Hosts];
        var conditions = new RouteMatch();
        conditions.Methods.Add(match.Methods);
        conditions.Headers.Add(match.Headers);
        conditions.Query.Add(match.Query);
        route.Conditions = conditions.Methods.Count + conditions.Headers.Count + conditions.Query.Count == 0 ? null : ProtoJson.Format(conditions);
        route.MatchKey = definition.MatchKey;
        route.Http = definition.Http is null ? null : ProtoJson.Format(definition.Http);
        route.Llm = definition.Llm is null ? null : ProtoJson.Format(definition.Llm);
    }

    /// <summary>The request fields of a stored route, for an update that leaves some out.</summary>
    public static Fields FieldsOf(GatewayRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var definition = Of(route);
        var match = definition.Match;
        var http = definition.Http;
        var llm = definition.Llm;
        return new Fields(
            route.Kind, route.Path, route.PathPrefix, route.PathRegex, [.. match.Hosts], [.. match.Methods],
            [.. match.Headers.Select(ToCondition)], [.. match.Query.Select(ToCondition)],
            http is null ? null : [.. http.Destinations.Select(ToDestination)],
            (http?.ActiveHealthCheck ?? llm?.ActiveHealthCheck) is { } active ? ToActive(active) : null,
            (http?.PassiveHealthCheck ?? llm?.PassiveHealthCheck) is { } passive ? ToPassive(passive) : null,
            http?.PreserveHost,
            llm is null ? null : [.. llm.Providers.Select(provider => provider.Name)],
            llm is null ? null : [.. llm.Models.Select(ToModel)]);
    }

    public static RouteLlmModel ToModel(LlmModel model) => new(
        model.Name,
        [.. model.Targets.Select(target => new RouteLlmTarget(target.Provider, NullIfEmpty(target.Model), (int)Math.Max(target.Weight, 1), (int)target.Priority))]);

    public static RouteCondition ToCondition(HeaderMatch header) =>
        new(header.Name, NullIfEmpty(header.Exact), NullIfEmpty(header.Regex), header.Invert);

    public static RouteCondition ToCondition(QueryParameterMatch query) =>
        new(query.Name, NullIfEmpty(query.Exact), NullIfEmpty(query.Regex), query.Invert);

    public static RouteDestination ToDestination(HttpDestination destination) =>
        new(destination.Name, destination.Url, (int)Math.Max(destination.Weight, 1));

    /// <summary>The check a request asks for: null when it is left out or turned off (<c>enabled: false</c>).</summary>
    public static RouteActiveHealthCheck? Enabled(RouteActiveHealthCheck? check) => check is { Enabled: false } ? null : check;

    /// <inheritdoc cref="Enabled(RouteActiveHealthCheck?)"/>
    public static RoutePassiveHealthCheck? Enabled(RoutePassiveHealthCheck? check) => check is { Enabled: false } ? null : check;

    public static RouteActiveHealthCheck ToActive(ActiveHealthCheck check) => new(
        check.Path, (int)check.IntervalMs, (int)check.TimeoutMs, (int)check.UnhealthyThreshold, (int)check.HealthyThreshold,
        [.. check.ExpectedStatuses.Select(status => (int)status)], Enabled: true);

    public static RoutePassiveHealthCheck ToPassive(PassiveHealthCheck check) => new((int)check.ConsecutiveFailures, (int)check.EjectionMs, Enabled: true);

    private static HttpBackend? BuildHttp(Dictionary<string, string[]> errors, Fields fields)
    {
        var http = new HttpBackend { PreserveHost = fields.PreserveHost ?? false };
        var destinations = fields.Destinations ?? [];
        for (var index = 0; index < destinations.Count; index++)
        {
            var destination = destinations[index];
            if (destination is null)
            {
                errors[$"destinations[{index}]"] = ["must be {\"name\", \"url\", \"weight\"}."];
                continue;
            }

            http.Destinations.Add(new HttpDestination
            {
                Name = destination.Name ?? string.Empty,
                Url = destination.Url ?? string.Empty,
                Weight = NonNegative(errors, $"destinations[{index}].weight", destination.Weight),
            });
        }

        http.ActiveHealthCheck = BuildActive(errors, fields.ActiveHealthCheck);
        http.PassiveHealthCheck = BuildPassive(errors, fields.PassiveHealthCheck);
        return http;
    }

    private static ActiveHealthCheck? BuildActive(Dictionary<string, string[]> errors, RouteActiveHealthCheck? active)
    {
        if (active is null)
        {
            return null;
        }

        var check = new ActiveHealthCheck
        {
            Path = active.Path ?? string.Empty,
            IntervalMs = NonNegative(errors, "activeHealthCheck.intervalMs", active.IntervalMs),
            TimeoutMs = NonNegative(errors, "activeHealthCheck.timeoutMs", active.TimeoutMs),
            UnhealthyThreshold = NonNegative(errors, "activeHealthCheck.unhealthyThreshold", active.UnhealthyThreshold),
            HealthyThreshold = NonNegative(errors, "activeHealthCheck.healthyThreshold", active.HealthyThreshold),
        };
        var statuses = active.ExpectedStatuses ?? [];
        for (var index = 0; index < statuses.Count; index++)
        {
            check.ExpectedStatuses.Add(NonNegative(errors, $"activeHealthCheck.expectedStatuses[{index}]", statuses[index]));
        }

        return check;
    }

    private static PassiveHealthCheck? BuildPassive(Dictionary<string, string[]> errors, RoutePassiveHealthCheck? passive) => passive is null
        ? null
        : new PassiveHealthCheck
        {
            ConsecutiveFailures = NonNegative(errors, "passiveHealthCheck.consecutiveFailures", passive.ConsecutiveFailures),
            EjectionMs = NonNegative(errors, "passiveHealthCheck.ejectionMs", passive.EjectionMs),
        };

    /// <summary>
    /// An LLM route's backend with its providers by name only: whether they are in the tenant's catalog is checked
    /// where the catalog is read.
    /// </summary>
    private static LlmBackend BuildLlm(Dictionary<string, string[]> errors, Fields fields)
    {
        var llm = new LlmBackend { PassiveHealthCheck = BuildPassive(errors, fields.PassiveHealthCheck), ActiveHealthCheck = BuildActive(errors, fields.ActiveHealthCheck) };
        var providers = fields.Providers ?? [];
        if (providers.Count == 0)
        {
            errors["providers"] = ["must name at least one LLM provider of the tenant (see /llm-providers)."];
        }
        else if (providers.Distinct(StringComparer.Ordinal).Count() != providers.Count)
        {
            errors["providers"] = ["must name each provider once."];
        }

        for (var index = 0; index < providers.Count; index++)
        {
            if (!Names.IsValid(providers[index]))
            {
                errors[$"providers[{index}]"] = [Names.Rule + "."];
                continue;
            }

            llm.Providers.Add(new V1.LlmProvider { Name = providers[index] });
        }

        var models = fields.Models ?? [];
        for (var index = 0; index < models.Count; index++)
        {
            if (models[index] is not { } model)
            {
                errors[$"models[{index}]"] = ["must be {\"name\", \"targets\": [{\"provider\", \"model\", \"weight\", \"priority\"}]}."];
                continue;
            }

            var entry = new LlmModel { Name = model.Name ?? string.Empty };
            var targets = model.Targets ?? [];
            for (var targetIndex = 0; targetIndex < targets.Count; targetIndex++)
            {
                var field = $"models[{index}].targets[{targetIndex}]";
                if (targets[targetIndex] is not { } target)
                {
                    errors[field] = ["must be {\"provider\", \"model\", \"weight\", \"priority\"}."];
                    continue;
                }

                entry.Targets.Add(new LlmModelTarget
                {
                    Provider = target.Provider ?? string.Empty,
                    Model = target.Model ?? string.Empty,
                    Weight = NonNegative(errors, $"{field}.weight", target.Weight),
                    Priority = NonNegative(errors, $"{field}.priority", target.Priority),
                });
            }

            llm.Models.Add(entry);
        }

        return llm;
    }

    private static uint NonNegative(Dictionary<string, string[]> errors, string field, int? value)
    {
        if (value is < 0)
        {
            errors[field] = ["must not be negative."];
            return 0;
        }

        return (uint)(value ?? 0);
    }

    private static void Strings(Dictionary<string, string[]> errors, string field, List<string>? values, Google.Protobuf.Collections.RepeatedField<string> into)
    {
        var list = values ?? [];
        if (list.Count > 50)
        {
            errors[field] = ["must have at most 50 entries."];
            return;
        }

        for (var index = 0; index < list.Count; index++)
        {
            if (list[index] is null)
            {
                errors[$"{field}[{index}]"] = ["must not be null."];
                continue;
            }

            into.Add(list[index]);
        }

        if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
        {
            errors[field] = ["must name each entry once."];
        }
    }

    private static void OnlyFor(Dictionary<string, string[]> errors, string field, bool given, string kinds)
    {
        if (given)
        {
            errors[field] = [$"is for {kinds} only."];
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
