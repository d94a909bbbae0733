namespace AgentGateway.Proxy.Pipeline.Routing;

/// <summary>
/// Everything the gateway made of one route for one config version: the route, its name, its compiled policies and the
/// state its kind keeps for it (destinations with their health, compiled guards, targets' fingerprints). Part of the
/// immutable snapshot: a config change brings new runtimes for the routes it changes (for all of them when the session
/// keys, egress policy or host grants change); the routes it leaves alone keep theirs.
/// </summary>
internal sealed class RouteRuntime
{
    private object? _kindState;

    public RouteRuntime(Route route, RoutePolicyRuntime policies)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(policies);
        Route = route;
        Policies = policies;
        Key = $"{route.Tenant}/{route.Name}";
    }

    public Route Route { get; }

    /// <summary><c>{tenant}/{route}</c>: the route's name in metrics, logs, sessions and reports.</summary>
    public string Key { get; }

    public RoutePolicyRuntime Policies { get; }

    /// <summary>
    /// The state the route's kind keeps for it, made from the route by <paramref name="create"/> on first use (a race
    /// may make it twice; one is kept).
    /// </summary>
    public T KindState<T, TArgument>(TArgument argument, Func<Route, TArgument, T> create)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(create);
        if (Volatile.Read(ref _kindState) is T state)
        {
            return state;
        }

        var made = create(Route, argument);
        return Interlocked.CompareExchange(ref _kindState, made, null) as T ?? made;
    }
}
