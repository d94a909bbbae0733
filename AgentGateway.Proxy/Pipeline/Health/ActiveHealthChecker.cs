using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Health;

namespace AgentGateway.Proxy.Pipeline.Health;

/// <summary>
/// Probes every upstream the route kinds name (<see cref="IRouteKind.HealthTargetsOf"/>: HTTP destinations, LLM
/// providers) whose route has an <see cref="ActiveHealthCheck"/>: the kind's request each interval, passing on an
/// expected status within the timeout. Follows config changes: probes that stay keep running (and their verdict), new
/// ones start, removed ones stop; health of upstreams no longer in the config is forgotten.
/// </summary>
internal sealed partial class ActiveHealthChecker(
    SnapshotStore store, DestinationHealthRegistry registry, BackendHttpClients clients, IEnumerable<IRouteKind> kinds, TimeProvider time,
    ILogger<ActiveHealthChecker> logger)
    : BackgroundService
{
    private readonly Dictionary<string, Probe> _probes = new(StringComparer.Ordinal);
    private readonly Dictionary<Route.BackendOneofCase, IRouteKind> _kinds = kinds.ToDictionary(kind => kind.Backend);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using var registration = store.GetChangeToken().RegisterChangeCallback(static state => ((TaskCompletionSource)state!).TrySetResult(), changed);
                Reconcile(store.Current, stoppingToken);
                await changed.Task.WaitAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var probe in _probes.Values)
            {
                probe.Stop();
            }
        }
    }

    private void Reconcile(GatewaySnapshot? snapshot, CancellationToken stoppingToken)
    {
        var wanted = new Dictionary<string, Probe>(StringComparer.Ordinal);
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in snapshot?.Routes ?? [])
        {
            if (!_kinds.TryGetValue(route.BackendCase, out var kind))
            {
                continue;
            }

            foreach (var target in kind.HealthTargetsOf(route))
            {
                known.Add(target.Key);
                if (target.Probe is { } probe)
                {
                    wanted[target.Key] = new Probe(probe, registry.Get(target.Key), target.Route, target.Name, target.Url);
                }
            }
        }

        foreach (var (key, probe) in _probes.ToList())
        {
            if (!wanted.TryGetValue(key, out var next) || !Equals(probe.Settings.Signature, next.Settings.Signature))
            {
                probe.Stop();
                _probes.Remove(key);
                if (!wanted.ContainsKey(key))
                {
                    registry.Get(key).ClearProbes();
                }
            }
        }

        registry.Retain(known);
        foreach (var (key, probe) in wanted)
        {
            if (!_probes.ContainsKey(key))
            {
                _probes[key] = probe;
                probe.Start(this, stoppingToken);
            }
        }
    }

    private async Task RunAsync(Probe probe, CancellationToken cancellationToken)
    {
        var check = probe.Settings.Check;
        var interval = TimeSpan.FromMilliseconds(check.IntervalMs == 0 ? 5000 : check.IntervalMs);
        var timeout = TimeSpan.FromMilliseconds(check.TimeoutMs == 0 ? 2000 : check.TimeoutMs);
        var unhealthy = check.UnhealthyThreshold == 0 ? 2 : (int)check.UnhealthyThreshold;
        var healthy = check.HealthyThreshold == 0 ? 1 : (int)check.HealthyThreshold;
        var client = clients.For(probe.Settings.Tls);
        while (!cancellationToken.IsCancellationRequested)
        {
            var passed = false;
            int? status = null;
            try
            {
                using var timeoutSource = new CancellationTokenSource(timeout, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
                using var request = probe.Settings.CreateRequest();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                status = (int)response.StatusCode;
                passed = check.ExpectedStatuses.Count == 0 ? status is >= 200 and < 400 : check.ExpectedStatuses.Contains((uint)status);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
            {
                passed = false;
            }

            if (probe.Health.RecordProbe(passed, unhealthy, healthy))
            {
                if (passed)
                {
                    LogHealthy(logger, probe.Route, probe.Name, probe.Url);
                }
                else
                {
                    LogUnhealthy(logger, probe.Route, probe.Name, probe.Url, status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer");
                }
            }

            try
            {
                await Task.Delay(interval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination} ({Url}) of route {Route} failed its health checks ({Status}) and takes no requests")]
    private static partial void LogUnhealthy(ILogger logger, string route, string destination, string url, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Destination {Destination} ({Url}) of route {Route} passes its health checks again")]
    private static partial void LogHealthy(ILogger logger, string route, string destination, string url);

    /// <summary>One destination's or provider's probe loop.</summary>
    private sealed class Probe(HealthProbe settings, DestinationHealth health, string route, string name, string url)
    {
        private CancellationTokenSource? _stop;

        public HealthProbe Settings { get; } = settings;

        public string Url { get; } = url;

        public DestinationHealth Health { get; } = health;

        public string Route { get; } = route;

        public string Name { get; } = name;

        public void Start(ActiveHealthChecker checker, CancellationToken stoppingToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var token = _stop.Token;
            _ = Task.Run(() => checker.RunAsync(this, token), CancellationToken.None);
        }

        public void Stop()
        {
            _stop?.Cancel();
            _stop?.Dispose();
            _stop = null;
        }
    }
}
