using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.Routes.Form;

/// <summary>
/// A route as the create and edit pages edit it: its kind, how it matches requests, and its backend (MCP targets,
/// HTTP destinations with health checks, an A2A agent, or LLM providers and models); written as AdminApi's request,
/// the fields of other kinds left out.
/// </summary>
public sealed class RouteFormModel
{
    /// <summary>The path must be the one given (MCP and A2A routes: and what lies below, for their own sub-paths).</summary>
    public const string ExactPath = "path";

    /// <summary>HTTP routes: the path and everything below it, on segment boundaries.</summary>
    public const string PrefixPath = "pathPrefix";

    /// <summary>HTTP routes: a .NET regular expression the whole path must match.</summary>
    public const string RegexPath = "pathRegex";

    public string Kind { get; set; } = RouteKinds.Mcp;

    public string Name { get; set; } = string.Empty;

    /// <summary>Which path field <see cref="PathValue"/> is; only HTTP routes take another than <see cref="ExactPath"/>.</summary>
    public string PathKind { get; set; } = ExactPath;

    /// <summary>Empty takes /{tenant}/{name} (for HTTP routes as a prefix).</summary>
    public string PathValue { get; set; } = string.Empty;

    /// <summary>Host names, comma-separated; empty takes any host.</summary>
    public string Hosts { get; set; } = string.Empty;

    /// <summary>HTTP methods, comma-separated; empty takes any.</summary>
    public string Methods { get; set; } = string.Empty;

    public List<ConditionRow> Headers { get; } = [];

    public List<ConditionRow> Query { get; } = [];

    /// <summary>MCP routes: the MCP servers federated.</summary>
    public List<string> Targets { get; } = [];

    public string PrefixMode { get; set; } = "conditional";

    public List<DestinationRow> Destinations { get; } = [];

    public bool PreserveHost { get; set; }

    public bool ActiveHealthCheck { get; set; }

    public string HealthPath { get; set; } = "/healthz";

    public int? HealthIntervalMs { get; set; }

    public int? HealthTimeoutMs { get; set; }

    public int? UnhealthyThreshold { get; set; }

    public int? HealthyThreshold { get; set; }

    /// <summary>Statuses that pass, comma-separated; empty passes 200-399.</summary>
    public string ExpectedStatuses { get; set; } = string.Empty;

    public bool PassiveHealthCheck { get; set; }

    public int? ConsecutiveFailures { get; set; }

    public int? EjectionMs { get; set; }

    /// <summary>A2A routes: the name of the catalog agent.</summary>
    public string? Agent { get; set; }

    /// <summary>LLM routes: the catalog providers, in order (without models, any model goes to the first).</summary>
    public List<string> Providers { get; } = [];

    /// <summary>LLM routes: one row per target of a model; rows of the same model name are its targets.</summary>
    public List<LlmModelRow> Models { get; } = [];

    /// <summary>The field path (<c>models[i].targets[j]</c>) AdminApi's errors give the row as the form sends it; null for a blank row.</summary>
    public string? ModelField(LlmModelRow row) => LlmModelRow.Group(Models).Fields.GetValueOrDefault(row);

    /// <summary>
    /// What <see cref="ExpectedStatuses"/> holds that is not a status (1xx-5xx), for the page to say before sending;
    /// null when every item is one.
    /// </summary>
    public string? ExpectedStatusesProblem =>
        TextLists.Split(ExpectedStatuses).FirstOrDefault(item => !int.TryParse(item, out var status) || status is < 100 or > 599) is { } bad
            ? $"'{bad}' is not an HTTP status (100-599)"
            : null;

    /// <summary>The path kinds the route's kind takes.</summary>
    public IReadOnlyList<string> PathKinds => Kind == RouteKinds.Http ? [ExactPath, PrefixPath, RegexPath] : [ExactPath];

    /// <summary>The form of an existing route, to edit it.</summary>
    public static RouteFormModel From(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var model = new RouteFormModel
        {
            Kind = route.Kind,
            Name = route.Name,
            PathKind = route.PathPrefix is { Length: > 0 } ? PrefixPath : route.PathRegex is { Length: > 0 } ? RegexPath : ExactPath,
            PathValue = route.PathPrefix is { Length: > 0 } prefix ? prefix : route.PathRegex is { Length: > 0 } regex ? regex : route.Path ?? string.Empty,
            Hosts = TextLists.Join(route.Hosts),
            Methods = TextLists.Join(route.Methods),
            PrefixMode = route.PrefixMode,
            PreserveHost = route.PreserveHost,
            Agent = route.Agent,
        };
        model.Headers.AddRange((route.Headers ?? []).Select(ConditionRow.From));
        model.Query.AddRange((route.Query ?? []).Select(ConditionRow.From));
        model.Targets.AddRange(route.Targets);
        model.Destinations.AddRange((route.Destinations ?? []).Select(DestinationRow.From));
        model.Providers.AddRange(route.Providers ?? []);
        model.Models.AddRange((route.Models ?? []).SelectMany(LlmModelRow.From));
        if (route.ActiveHealthCheck is { } active)
        {
            model.ActiveHealthCheck = true;
            model.HealthPath = active.Path;
            model.HealthIntervalMs = Positive(active.IntervalMs);
            model.HealthTimeoutMs = Positive(active.TimeoutMs);
            model.UnhealthyThreshold = Positive(active.UnhealthyThreshold);
            model.HealthyThreshold = Positive(active.HealthyThreshold);
            model.ExpectedStatuses = TextLists.Join((active.ExpectedStatuses ?? []).Select(status => status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (route.PassiveHealthCheck is { } passive)
        {
            model.PassiveHealthCheck = true;
            model.ConsecutiveFailures = Positive(passive.ConsecutiveFailures);
            model.EjectionMs = Positive(passive.EjectionMs);
        }

        return model;
    }

    /// <summary>The request that creates the route.</summary>
    public NewRoute ToNewRoute()
    {
        var (path, prefix, regex) = PathFields();
        return Kind switch
        {
            RouteKinds.Http => new NewRoute(
                Name.Trim(), path, null, null, Kind: Kind, PathPrefix: prefix, PathRegex: regex, Hosts: HostList(), Methods: MethodList(),
                Headers: Conditions(Headers), Query: Conditions(Query), Destinations: DestinationList(), ActiveHealthCheck: ActiveCheck(),
                PassiveHealthCheck: PassiveCheck(), PreserveHost: PreserveHost),
            RouteKinds.A2a => new NewRoute(
                Name.Trim(), path, null, null, Kind: Kind, Hosts: HostList(), Methods: MethodList(), Headers: Conditions(Headers),
                Query: Conditions(Query), Agent: Agent),
            RouteKinds.Llm => new NewRoute(
                Name.Trim(), path, null, null, Kind: Kind, Hosts: HostList(), Methods: MethodList(), Headers: Conditions(Headers),
                Query: Conditions(Query), ActiveHealthCheck: ActiveCheck(), PassiveHealthCheck: PassiveCheck(), Providers: [.. Providers],
                Models: LlmModelRow.Group(Models).Models),
            _ => new NewRoute(
                Name.Trim(), path, [.. Targets], PrefixMode, Kind: RouteKinds.Mcp, Hosts: HostList(), Methods: MethodList(),
                Headers: Conditions(Headers), Query: Conditions(Query)),
        };
    }

    /// <summary>
    /// The request that changes <paramref name="route"/> to what the form holds; the MCP settings the route's Settings
    /// tab edits (failure mode, target timeout, tool pinning) are kept as they are.
    /// </summary>
    public RouteUpdate ToUpdate(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var (path, prefix, regex) = PathFields();
        var mcp = Kind == RouteKinds.Mcp;
        var http = Kind == RouteKinds.Http;
        var llm = Kind == RouteKinds.Llm;
        return new RouteUpdate(
            path,
            mcp ? [.. Targets] : [],
            mcp ? PrefixMode : null,
            mcp ? route.FailureMode : null,
            mcp ? route.TargetTimeoutMs : null,
            mcp ? route.ToolPinning : null,
            Kind,
            prefix,
            regex,
            HostList(),
            MethodList(),
            Conditions(Headers),
            Conditions(Query),
            http ? DestinationList() : [],
            http || llm ? ActiveCheck() ?? (route.ActiveHealthCheck is null ? null : RouteActiveHealthCheck.Off) : null,
            http || llm ? PassiveCheck() ?? (route.PassiveHealthCheck is null ? null : RoutePassiveHealthCheck.Off) : null,
            http ? PreserveHost : null,
            Kind == RouteKinds.A2a ? Agent : null,
            llm ? [.. Providers] : null,
            llm ? LlmModelRow.Group(Models).Models : null);
    }

    /// <summary>The path in the field its kind names; the other two null. An empty value leaves all three null (the default path).</summary>
    private (string? Path, string? Prefix, string? Regex) PathFields()
    {
        var value = PathValue.Trim();
        if (value.Length == 0)
        {
            return (null, null, null);
        }

        var kind = Kind == RouteKinds.Http ? PathKind : ExactPath;
        return kind switch
        {
            PrefixPath => (null, value, null),
            RegexPath => (null, null, value),
            _ => (value, null, null),
        };
    }

    private List<string> HostList() => [.. TextLists.Split(Hosts).Select(host => host.ToLowerInvariant())];

    private List<string> MethodList() => [.. TextLists.Split(Methods).Select(method => method.ToUpperInvariant()).Distinct(StringComparer.Ordinal)];

    private static List<RouteCondition> Conditions(IEnumerable<ConditionRow> rows) => [.. rows.Where(row => !row.IsBlank).Select(row => row.ToCondition())];

    private List<RouteDestination> DestinationList() => [.. Destinations.Where(row => !row.IsBlank).Select(row => row.ToDestination())];

    private RouteActiveHealthCheck? ActiveCheck() => ActiveHealthCheck
        ? new RouteActiveHealthCheck(
            HealthPath.Trim(), Positive(HealthIntervalMs), Positive(HealthTimeoutMs), Positive(UnhealthyThreshold), Positive(HealthyThreshold),
            [.. TextLists.Split(ExpectedStatuses).Select(item => int.TryParse(item, out var status) ? status : 0).Where(status => status > 0)])
        : null;

    private RoutePassiveHealthCheck? PassiveCheck() =>
        PassiveHealthCheck ? new RoutePassiveHealthCheck(Positive(ConsecutiveFailures), Positive(EjectionMs)) : null;

    private static int? Positive(int? value) => value is > 0 ? value : null;
}
