using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

// Config at scale through the control plane: N tenants of M HTTP routes made through the REST API, how long a fresh
// proxy takes to receive and apply them all over xDS, and how long a route change takes to reach traffic on every
// proxy while they are under load.
//   dotnet AgentGateway.Bench.Config.dll --admin URL --token-endpoint URL --xds URL --authority URL --upstream URL
//       --proxy-dll PATH [--tenants 1000] [--routes 10] [--changes 40] [--proxies 2]
var settings = Settings.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(60), BaseAddress = settings.Admin };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http, settings.TokenEndpoint));

Console.WriteLine($"Config scale benchmark, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"{settings.Tenants} tenants x {settings.Routes} routes = {settings.Tenants * settings.Routes} routes");
Console.WriteLine();

(await http.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "127.0.0.1/32", ports = new[] { settings.Upstream.Port }, description = "bench upstream" })).EnsureSuccessStatusCode();

// 1. Seed through the REST API, eight requests at a time.
var seeding = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, settings.Tenants), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (tenant, token) =>
{
    var name = $"t{tenant:D4}";
    (await http.PostAsJsonAsync("/api/v1/tenants", new { name, displayName = name }, token)).EnsureSuccessStatusCode();
    for (var route = 0; route < settings.Routes; route++)
    {
        using var created = await http.PostAsJsonAsync($"/api/v1/tenants/{name}/routes", new
        {
            name = $"r{route}",
            kind = "http",
            pathPrefix = $"/{name}/r{route}",
            destinations = new[] { new { name = "upstream", url = settings.Upstream.ToString().TrimEnd('/') } },
        }, token);
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{name}/r{route}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(token)}");
        }
    }
});
seeding.Stop();
var total = settings.Tenants * settings.Routes;
Console.WriteLine($"seeded {total} routes through the REST API in {seeding.Elapsed.TotalSeconds:0.0} s ({total / seeding.Elapsed.TotalSeconds:0} routes/s)");

// 2. Fresh proxies: from the moment each answers /healthz (started, connecting) to /readyz (every route applied).
var proxies = new List<Proxy>();
var lastRoute = $"/t{settings.Tenants - 1:D4}/r{settings.Routes - 1}/x";
for (var index = 0; index < settings.Proxies; index++)
{
    var proxy = Proxy.Start(settings, 5520 + (index * 10));
    proxies.Add(proxy);
    var (started, applied) = await proxy.WaitUntilReadyAsync();
    using var check = await http.GetAsync(new Uri(proxy.Url, lastRoute));
    Console.WriteLine($"proxy {index + 1}: process start to listening {started.TotalMilliseconds:0} ms; listening to all {total} routes applied {applied.TotalMilliseconds:0} ms; last route answers {(int)check.StatusCode}");
}

// 3. Route changes under load: wrk on every proxy, a response header policy changed on one route, and the time until
// every proxy answers with the new value.
var probeRoute = "/t0000/r0/x";
var load = proxies.Select(proxy => Wrk.Start(new Uri(proxy.Url, probeRoute), settings.Changes * 2 + 10)).ToList();
await Task.Delay(TimeSpan.FromSeconds(3));
var latencies = new List<double>();
for (var change = 1; change <= settings.Changes; change++)
{
    var body = new
    {
        name = "version",
        kind = "response-headers",
        targetRef = new { kind = "route", name = "r0" },
        spec = new { set = new[] { new { name = "X-Config-Version", value = change.ToString(CultureInfo.InvariantCulture) } } },
    };
    var changed = Stopwatch.StartNew();
    using (var response = change == 1
        ? await http.PostAsJsonAsync("/api/v1/tenants/t0000/policies", body)
        : await http.PutAsJsonAsync("/api/v1/tenants/t0000/policies/version", body))
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"change {change}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    foreach (var proxy in proxies)
    {
        while (true)
        {
            using var probe = await http.GetAsync(new Uri(proxy.Url, probeRoute));
            if (probe.Headers.TryGetValues("X-Config-Version", out var values) && values.Single() == change.ToString(CultureInfo.InvariantCulture))
            {
                break;
            }

            if (changed.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"change {change} did not reach {proxy.Url} in 30 s");
            }

            await Task.Delay(5);
        }

        latencies.Add(changed.Elapsed.TotalMilliseconds);
    }

    await Task.Delay(500);
}

var results = await Task.WhenAll(load.Select(wrk => wrk.StopAsync()));
latencies.Sort();
Console.WriteLine($"{settings.Changes} route changes, each seen on all {proxies.Count} proxies (from the API call to the first answer with it): "
    + $"p50 {Percentile(latencies, 50):0} ms, p95 {Percentile(latencies, 95):0} ms, max {latencies[^1]:0} ms");
foreach (var (result, index) in results.Select((result, index) => (result, index)))
{
    Console.WriteLine($"load on proxy {index + 1} meanwhile: {result}");
}

foreach (var proxy in proxies)
{
    proxy.Dispose();
}

static double Percentile(List<double> sorted, int percent) => sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

static async Task<string> TokenAsync(HttpClient http, Uri tokenEndpoint)
{
    using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = "agentgateway-cli",
        ["client_secret"] = "cli-secret",
    }));
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
}

internal sealed record Settings(
    Uri Admin, Uri TokenEndpoint, Uri Xds, Uri Authority, Uri Upstream, string ProxyDll, int Tenants, int Routes, int Changes, int Proxies)
{
    public static Settings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var index = 0; index + 1 < args.Length; index += 2)
        {
            values[args[index].TrimStart('-')] = args[index + 1];
        }

        int Number(string name, int fallback) => values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return new Settings(
            new Uri(values["admin"]), new Uri(values["token-endpoint"]), new Uri(values["xds"]), new Uri(values["authority"]),
            new Uri(values["upstream"]), values["proxy-dll"],
            Number("tenants", 1000), Number("routes", 10), Number("changes", 40), Number("proxies", 2));
    }
}

/// <summary>A proxy process in xDS mode.</summary>
internal sealed class Proxy : IDisposable
{
    private readonly Process _process;
    private readonly Stopwatch _since = Stopwatch.StartNew();

    private Proxy(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static Proxy Start(Settings settings, int port)
    {
        var url = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(settings.ProxyDll)! };
        foreach (var argument in new[]
        {
            settings.ProxyDll, "--urls", url.ToString(),
            "--Xds:Address=" + settings.Xds, "--Xds:ClientId=agentgateway-proxy", "--Xds:ClientSecret=proxy-secret",
            "--Identity:Authority=" + settings.Authority, "--Logging:LogLevel:Default=Warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return new Proxy(Process.Start(start)!, url);
    }

    /// <summary>Polls every 5 ms: the time until <c>/healthz</c> answers, then until <c>/readyz</c> does.</summary>
    public async Task<(TimeSpan Started, TimeSpan Applied)> WaitUntilReadyAsync()
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        TimeSpan? started = null;
        while (_since.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                if (started is null)
                {
                    using var live = await probe.GetAsync(new Uri(Url, "/healthz"));
                    if (live.StatusCode == HttpStatusCode.OK)
                    {
                        started = _since.Elapsed;
                    }
                }

                if (started is not null)
                {
                    using var ready = await probe.GetAsync(new Uri(Url, "/readyz"));
                    if (ready.StatusCode == HttpStatusCode.OK)
                    {
                        return (started.Value, _since.Elapsed - started.Value);
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"The proxy at {Url} did not become ready.");
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}

/// <summary>wrk against one URL for a while, in the background; its summary when stopped.</summary>
internal sealed class Wrk
{
    private readonly Process _process;
    private readonly Task<string> _output;

    private Wrk(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
    }

    public static Wrk Start(Uri url, int seconds)
    {
        var start = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-t1", "-c16", $"-d{seconds}s", url.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        return new Wrk(Process.Start(start)!);
    }

    /// <summary>Interrupts wrk (it prints its summary on SIGINT) and returns requests, errors and non-2xx answers.</summary>
    public async Task<string> StopAsync()
    {
        using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        await _process.WaitForExitAsync();
        var lines = (await _output).Split('\n');
        var summary = lines.Where(line => line.Contains("requests in", StringComparison.Ordinal)
            || line.Contains("Socket errors", StringComparison.Ordinal)
            || line.Contains("Non-2xx", StringComparison.Ordinal)
            || line.Contains("Requests/sec", StringComparison.Ordinal)).Select(line => line.Trim());
        var text = string.Join("; ", summary);
        return text.Contains("Non-2xx", StringComparison.Ordinal) || text.Contains("Socket errors", StringComparison.Ordinal) ? text : text + "; no errors, no non-2xx answers";
    }
}
