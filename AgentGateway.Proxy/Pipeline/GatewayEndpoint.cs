using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.Draining;
using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Pipeline.Traffic;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.AccessLog;

namespace AgentGateway.Proxy.Pipeline;

/// <summary>
/// The corridor every request walks: the current snapshot's route table finds its route (none: 404); the route's own
/// answers go first (CORS preflight, redirect, direct response, see <see cref="TrafficResponses"/>); then its kind may
/// answer what it answers before any policy (<see cref="IRouteKind.AnswerBeforePoliciesAsync"/>); then the route's
/// policies run, once, for every kind (<see cref="RoutePolicyPipeline"/>); and the kind refuses the request in its
/// protocol or serves it.
/// </summary>
internal sealed class GatewayEndpoint
{
    private readonly SnapshotStore _snapshots;
    private readonly RoutePolicyPipeline _policies;
    private readonly GatewayMetrics _metrics;
    private readonly IRouteKind?[] _kinds;
    private readonly ProxyDrain _drain;

    public GatewayEndpoint(SnapshotStore snapshots, RoutePolicyPipeline policies, GatewayMetrics metrics, IEnumerable<IRouteKind> kinds, ProxyDrain drain)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        _drain = drain;
        _snapshots = snapshots;
        _policies = policies;
        _metrics = metrics;
        var all = kinds.ToList();
        _kinds = new IRouteKind?[all.Count == 0 ? 1 : all.Max(kind => (int)kind.Backend) + 1];
        foreach (var kind in all)
        {
            _kinds[(int)kind.Backend] = kind;
        }
    }

    /// <remarks>
    /// Not an async method, nor are the steps that only pass the request on: a request that only forwards returns its
    /// kind's task, without a state machine of the corridor's own on the hot path.
    /// </remarks>
    public Task HandleAsync(HttpContext context)
    {
        _drain.CloseAfterRequest(context);
        var snapshot = _snapshots.Current;
        if (snapshot is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(ProtectedResourceMetadata.WellKnownPrefix, StringComparison.Ordinal))
        {
            return ServeWellKnownAsync(context, snapshot, path);
        }

        return Match(context, snapshot);
    }

    /// <summary>The OAuth protected resource metadata of a route with MCP authentication (RFC 9728), public by design.</summary>
    private async Task ServeWellKnownAsync(HttpContext context, GatewaySnapshot snapshot, string path)
    {
        if (!await ProtectedResourceMetadata.TryServeAsync(context, snapshot, path[ProtectedResourceMetadata.WellKnownPrefix.Length..]))
        {
            await Match(context, snapshot);
        }
    }

    private Task Match(HttpContext context, GatewaySnapshot snapshot)
    {
        if (snapshot.Table.Match(context.Request) is not { } match
            || (uint)match.Route.BackendCase >= (uint)_kinds.Length || _kinds[(int)match.Route.BackendCase] is not { } kind)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var request = new RouteRequest(snapshot, match, snapshot.RuntimeOf(match.Route));
        _metrics.Labels.AddTo(context, match.Route);
        if (GatewayRequestRecord.Of(context) is { } record)
        {
            record.Tenant = match.Route.Tenant;
            record.Route = match.Route.Name;
            record.Kind = RouteKinds.Of(match.Route);
            if (match.Route.BackendCase != Route.BackendOneofCase.Http)
            {
                // An HTTP route's bodies say their length: the gateway's own (WholeBody) and forwarded ones (their
                // upstream's, else counted where they are copied). Other kinds stream bodies of their own making.
                record.CountSent(context);
            }
        }

        var answered = TrafficResponses.TryAnswerAsync(context, request.Runtime.Policies.Traffic, match);
        if (!answered.IsCompletedSuccessfully)
        {
            return AfterTrafficAnswerAsync(context, kind, request, answered);
        }

        return answered.Result ? Task.CompletedTask : BeforePolicies(context, kind, request);
    }

    private async Task AfterTrafficAnswerAsync(HttpContext context, IRouteKind kind, RouteRequest request, ValueTask<bool> answered)
    {
        if (!await answered)
        {
            await BeforePolicies(context, kind, request);
        }
    }

    private Task BeforePolicies(HttpContext context, IRouteKind kind, RouteRequest request)
    {
        var answered = kind.AnswerBeforePoliciesAsync(context, request);
        if (!answered.IsCompletedSuccessfully)
        {
            return AfterKindAnswerAsync(context, kind, request, answered);
        }

        return answered.Result ? Task.CompletedTask : RunPolicies(context, kind, request);
    }

    private async Task AfterKindAnswerAsync(HttpContext context, IRouteKind kind, RouteRequest request, ValueTask<bool> answered)
    {
        if (!await answered)
        {
            await RunPolicies(context, kind, request);
        }
    }

    private Task RunPolicies(HttpContext context, IRouteKind kind, RouteRequest request)
    {
        var run = _policies.RunAsync(context, request.Route, request.Runtime.Policies);
        return run.IsCompletedSuccessfully ? ServeOrRefuse(context, kind, request, run.Result) : AfterPoliciesAsync(context, kind, request, run);
    }

    private async Task AfterPoliciesAsync(
        HttpContext context, IRouteKind kind, RouteRequest request, ValueTask<(RequestScope? Scope, PolicyRefusal? Refusal)> run) =>
        await ServeOrRefuse(context, kind, request, await run);

    private Task ServeOrRefuse(HttpContext context, IRouteKind kind, RouteRequest request, (RequestScope? Scope, PolicyRefusal? Refusal) outcome)
    {
        var record = GatewayRequestRecord.Of(context);
        if (outcome.Scope is { } scope)
        {
            if (record is not null)
            {
                record.Caller = scope.Caller.Subject;
            }

            return kind.ServeAsync(context, request with { Scope = scope });
        }

        var refusal = outcome.Refusal!;
        _metrics.Refused(request.Runtime.Key, RouteKinds.Of(request.Route) ?? string.Empty, refusal.Policy);
        if (record is not null)
        {
            record.Refusal = refusal.Policy;
        }

        return kind.RefuseAsync(context, request, refusal);
    }
}
