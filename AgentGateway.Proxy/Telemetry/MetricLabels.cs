using System.Diagnostics;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Telemetry;

/// <summary>Adds the labels that name a route to a metric's tags, as configured (<see cref="MetricLabelOptions"/>).</summary>
internal sealed class MetricLabels(IOptions<TelemetryOptions> options)
{
    /// <summary>
    /// The label of a value a caller named that the gateway does not know (a method, a model): OpenTelemetry's
    /// convention for open sets, so that what clients make up never becomes a series of its own.
    /// </summary>
    public const string Other = "_OTHER";

    private readonly bool _tenant = options.Value.Metrics.Tenant;
    private readonly bool _route = options.Value.Metrics.Route;

    /// <summary>Whether routes are named (and so may be their targets).</summary>
    public bool ByRoute => _route;

    public bool ByTenant => _tenant;

    /// <summary>The labels of route <paramref name="name"/> of <paramref name="tenant"/>, its key made only when it is a label.</summary>
    public void AddTo(ref TagList tags, string tenant, string name)
    {
        if (_tenant)
        {
            tags.Add("tenant", tenant);
        }

        if (_route)
        {
            tags.Add("route", $"{tenant}/{name}");
        }
    }

    /// <summary>
    /// Where tenant or route labels are on: the same labels, and the route's kind, on ASP.NET Core's
    /// <c>http.server.request.duration</c> of the request (whose <c>http.route</c> stays empty: routes are the gateway's,
    /// not endpoint routing's). Off by default: a tag more on every request's histogram costs throughput.
    /// </summary>
    public void AddTo(HttpContext context, Route route)
    {
        if (!(_tenant || _route) || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMetricsTagsFeature>() is not { MetricsDisabled: false } metrics)
        {
            return;
        }

        var (tenant, name) = (route.Tenant, route.Name);
        metrics.Tags.Add(new("agentgateway.route.kind", RouteKinds.Of(route)));
        if (_tenant)
        {
            metrics.Tags.Add(new("tenant", tenant));
        }

        if (_route)
        {
            metrics.Tags.Add(new("route", $"{tenant}/{name}"));
        }
    }

    /// <param name="routeKey"><c>{tenant}/{route}</c>.</param>
    public void AddTo(ref TagList tags, string routeKey)
    {
        if (_tenant)
        {
            var slash = routeKey.IndexOf('/', StringComparison.Ordinal);
            tags.Add("tenant", slash < 0 ? routeKey : routeKey[..slash]);
        }

        if (_route)
        {
            tags.Add("route", routeKey);
        }
    }
}
