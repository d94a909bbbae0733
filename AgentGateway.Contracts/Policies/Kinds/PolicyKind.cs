using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace AgentGateway.Contracts.Policies.Kinds;

/// <summary>
/// One kind of policy, as every part of the platform knows it: its name in the API, what it is for, the proto message
/// its spec is, where on the corridor it acts, what it may attach to, the route kinds it has an effect on, how its spec
/// is read and validated, where it lands in a route's <see cref="V1.RoutePolicies"/>, and a valid example.
/// </summary>
public sealed class PolicyKind
{
    private readonly Func<JsonElement, string, List<ConfigError>, IMessage> _parse;
    private readonly Action<IMessage, string, SecretSources, List<ConfigError>> _validate;
    private readonly Func<V1.RoutePolicies, IMessage?>? _get;
    private readonly Action<V1.RoutePolicies, IMessage>? _set;
    private readonly Func<string, JsonObject> _example;

    internal PolicyKind(
        string name, string title, string summary, string message, PolicySide side, IReadOnlyList<string> targets, IReadOnlyList<string> routeKinds,
        Func<JsonElement, string, List<ConfigError>, IMessage> parse, Action<IMessage, string, SecretSources, List<ConfigError>> validate,
        Func<V1.RoutePolicies, IMessage?>? get, Action<V1.RoutePolicies, IMessage>? set, string field, Func<string, JsonObject> example)
    {
        Name = name;
        Title = title;
        Summary = summary;
        Message = message;
        Side = side;
        Targets = targets;
        RouteKinds = routeKinds;
        Field = field;
        _parse = parse;
        _validate = validate;
        _get = get;
        _set = set;
        _example = example;
    }

    /// <summary>The kind's name in the API, e.g. <c>jwt-auth</c>.</summary>
    public string Name { get; }

    public string Title { get; }

    /// <summary>What the kind does, in a sentence.</summary>
    public string Summary { get; }

    /// <summary>The proto message its spec is (policies.proto), as JSON.</summary>
    public string Message { get; }

    public PolicySide Side { get; }

    /// <summary>What it may attach to (<see cref="PolicyTargets"/>).</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>The route kinds it has an effect on (<see cref="Kinds.RouteKinds"/>).</summary>
    public IReadOnlyList<string> RouteKinds { get; }

    /// <summary>Its field in a route's policies (proto JSON name), or empty for backend kinds, which land on each backend.</summary>
    public string Field { get; }

    /// <summary>Whether it belongs to a route's own policies (caller side and traffic), a route's replacing the tenant's.</summary>
    public bool IsRouteLevel => Side != PolicySide.Backend;

    /// <summary>Whether it changes anything on routes of <paramref name="routeKind"/>.</summary>
    public bool AppliesTo(string routeKind) => RouteKinds.Contains(routeKind);

    /// <summary>Why attaching it to <paramref name="target"/> (of a route of <paramref name="routeKind"/>, if a route) would change nothing, or null.</summary>
    public string? NoEffect(string target, string? routeKind)
    {
        var kind = routeKind ?? PolicyTargets.RouteKindOf(target);
        return kind is null || AppliesTo(kind)
            ? null
            : $"'{Name}' has no effect on {kind} routes; it applies to {string.Join(", ", RouteKinds)} routes";
    }

    /// <summary>Reads a spec (proto JSON) with errors named after <paramref name="path"/>.</summary>
    public IMessage Parse(JsonElement json, string path, List<ConfigError> errors) => _parse(json, path, errors);

    /// <summary>The rules every spec of the kind must satisfy, shared by the control plane and the proxy.</summary>
    public void Validate(IMessage spec, string path, SecretSources sources, List<ConfigError> errors) => _validate(spec, path, sources, errors);

    /// <summary>The kind's part of <paramref name="policies"/>, or null when they have none (backend kinds: always null).</summary>
    public IMessage? Get(V1.RoutePolicies policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return _get?.Invoke(policies);
    }

    /// <summary>Puts a spec of the kind into a route's policies.</summary>
    public void Set(V1.RoutePolicies policies, IMessage spec)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(spec);
        (_set ?? throw new InvalidOperationException($"'{Name}' is a backend kind: it lands on each backend, not in a route's policies."))(policies, spec);
    }

    /// <summary>A valid spec to start from; secret references name <paramref name="secret"/>.</summary>
    public JsonObject Example(string secret) => _example(secret);
}
