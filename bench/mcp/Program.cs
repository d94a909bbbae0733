using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

// Drives MCP tools/call against the same upstream directly and through the gateway, side by side:
// latency at a fixed rate, throughput and latency at saturation, and the gateway's memory per idle session.
//   dotnet run -c Release -- --direct URL --one URL --three URL --proxy-pid PID [--rate 200] [--seconds 20]
//                             [--concurrency 32] [--sessions 10000] [--hold-minutes 0] [--idle-only]
var settings = Settings.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = 512,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    EnableMultipleHttp2Connections = true,
})
{
    Timeout = TimeSpan.FromSeconds(30),
};

var cases = new (string Name, Uri Endpoint, string Tool)[]
{
    ("direct", settings.Direct, "echo"),
    ("gateway, 1 target", settings.One, "echo"),
    ("gateway, 3 targets", settings.Three, "utils1_echo"),
};

Console.WriteLine($"MCP tools/call benchmark, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"fixed rate {settings.Rate}/s for {settings.Seconds} s; saturation with {settings.Concurrency} concurrent clients for {settings.Seconds} s");
Console.WriteLine();
var results = new List<(string Case, Measurement Fixed, Measurement Saturated)>();
foreach (var (name, endpoint, tool) in settings.IdleOnly ? [] : cases)
{
    var client = await McpHttpClient.ConnectAsync(http, endpoint, settings.Concurrency);
    await client.WarmUpAsync(tool, TimeSpan.FromSeconds(3));
    var fixedRate = await client.RunFixedRateAsync(tool, settings.Rate, TimeSpan.FromSeconds(settings.Seconds));
    var saturated = await client.RunSaturatedAsync(tool, settings.Concurrency, TimeSpan.FromSeconds(settings.Seconds));
    results.Add((name, fixedRate, saturated));
}

if (results.Count > 0)
{
    Console.WriteLine("| case | fixed rate: achieved/s | p50 ms | p99 ms | errors | saturated: req/s | p50 ms | p99 ms | errors |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
    foreach (var (name, fixedRate, saturated) in results)
    {
        Console.WriteLine($"| {name} | {fixedRate.Throughput:0} | {fixedRate.P50:0.00} | {fixedRate.P99:0.00} | {fixedRate.Errors} | {saturated.Throughput:0} | {saturated.P50:0.00} | {saturated.P99:0.00} | {saturated.Errors} |");
    }

    var direct = results[0];
    Console.WriteLine();
    foreach (var (name, fixedRate, saturated) in results.Skip(1))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: added p50 {fixedRate.P50 - direct.Fixed.P50:0.00} ms, added p99 {fixedRate.P99 - direct.Fixed.P99:0.00} ms at {settings.Rate}/s; saturated throughput {100 * saturated.Throughput / direct.Saturated.Throughput:0}% of direct"));
    }
}

if (settings.ProxyPid is { } pid && settings.Sessions > 0)
{
    Console.WriteLine();
    var before = Rss(pid);
    var idle = await McpHttpClient.OpenIdleSessionsAsync(http, settings.One, settings.Sessions);
    var opened = idle.Count;
    await Task.Delay(TimeSpan.FromSeconds(5));
    var after = Rss(pid);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"idle sessions: {opened} opened through the gateway; proxy RSS {before / 1024.0 / 1024:0.0} MiB -> {after / 1024.0 / 1024:0.0} MiB, {(after - before) / 1024.0 / opened:0.00} KiB per session"));

    // Held without a request: the proxy's memory sampled every 30 s, then every session used once to show it lived.
    if (settings.HoldMinutes > 0)
    {
        var samples = new List<long> { after };
        var held = Stopwatch.StartNew();
        while (held.Elapsed < TimeSpan.FromMinutes(settings.HoldMinutes))
        {
            await Task.Delay(TimeSpan.FromSeconds(30));
            samples.Add(Rss(pid));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {held.Elapsed.TotalMinutes:0.0} min: proxy RSS {samples[^1] / 1024.0 / 1024:0.0} MiB"));
        }

        var alive = await McpHttpClient.CountLiveSessionsAsync(http, settings.One, idle);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held {opened} idle sessions for {settings.HoldMinutes} min: proxy RSS from {samples.Min() / 1024.0 / 1024:0.0} to {samples.Max() / 1024.0 / 1024:0.0} MiB (first {samples[0] / 1024.0 / 1024:0.0}, last {samples[^1] / 1024.0 / 1024:0.0}); {alive} of {opened} sessions still answer"));
    }
}

static long Rss(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }

    throw new InvalidOperationException($"No VmRSS for process {pid}.");
}

internal sealed record Settings(Uri Direct, Uri One, Uri Three, int? ProxyPid, int Rate, int Seconds, int Concurrency, int Sessions, int HoldMinutes, bool IdleOnly)
{
    public static Settings Parse(string[] args)
    {
        string? Value(string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }

        Uri Required(string name) => new(Value(name) ?? throw new ArgumentException($"{name} URL is required"));
        int Number(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return new Settings(
            Required("--direct"), Required("--one"), Required("--three"),
            Value("--proxy-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            Number("--rate", 200), Number("--seconds", 20), Number("--concurrency", 32), Number("--sessions", 10_000),
            Number("--hold-minutes", 0), args.Contains("--idle-only"));
    }
}

internal sealed record Measurement(double Throughput, double P50, double P99, int Errors)
{
    public static Measurement From(List<double> latencies, int errors, TimeSpan elapsed)
    {
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        return new Measurement(latencies.Count / elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99), errors);
    }
}

/// <summary>MCP over Streamable HTTP, raw: a pool of sessions, each used by one worker at a time.</summary>
internal sealed class McpHttpClient(HttpClient http, Uri endpoint, string?[] sessions)
{
    private long _nextId;

    public static async Task<McpHttpClient> ConnectAsync(HttpClient http, Uri endpoint, int count)
    {
        // A server without sessions (the SDK's default) answers initialize without an id; requests then carry none.
        var sessions = new string?[count];
        for (var index = 0; index < count; index++)
        {
            sessions[index] = await InitializeAsync(http, endpoint);
        }

        return new McpHttpClient(http, endpoint, sessions);
    }

    public static async Task<IReadOnlyList<string>> OpenIdleSessionsAsync(HttpClient http, Uri endpoint, int count)
    {
        var opened = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
            opened.Add(await InitializeAsync(http, endpoint) ?? throw new InvalidOperationException($"{endpoint} opened no session")));
        return [.. opened];
    }

    /// <summary>How many of <paramref name="sessions"/> still answer a <c>tools/list</c>.</summary>
    public static async Task<int> CountLiveSessionsAsync(HttpClient http, Uri endpoint, IReadOnlyList<string> sessions)
    {
        var alive = 0;
        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (session, _) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.ParseAdd("application/json, text/event-stream");
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            using var response = await http.SendAsync(request);
            if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"tools\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref alive);
            }
        });
        return alive;
    }

    public async Task WarmUpAsync(string tool, TimeSpan duration) => await RunSaturatedAsync(tool, sessions.Length, duration);

    /// <summary>Open loop: requests start on a fixed schedule whatever the latency, so queuing shows in the percentiles.</summary>
    public async Task<Measurement> RunFixedRateAsync(string tool, int rate, TimeSpan duration)
    {
        var latencies = new List<double>();
        var errors = 0;
        var total = (int)(rate * duration.TotalSeconds);
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(total);
        for (var index = 0; index < total; index++)
        {
            var due = interval * index;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var session = sessions[index % sessions.Length];
            inFlight.Add(Task.Run(async () =>
            {
                var (ok, milliseconds) = await CallAsync(session, tool);
                lock (latencies)
                {
                    latencies.Add(milliseconds);
                    errors += ok ? 0 : 1;
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return Measurement.From(latencies, errors, duration);
    }

    /// <summary>Closed loop: each worker sends its next request when the last one is answered.</summary>
    public async Task<Measurement> RunSaturatedAsync(string tool, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>();
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = new List<double>();
            var failed = 0;
            while (clock.Elapsed < duration)
            {
                var (ok, milliseconds) = await CallAsync(sessions[worker % sessions.Length], tool);
                mine.Add(milliseconds);
                failed += ok ? 0 : 1;
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
                errors += failed;
            }
        })));
        return Measurement.From(latencies, errors, clock.Elapsed);
    }

    private async Task<(bool Ok, double Milliseconds)> CallAsync(string? session, string tool)
    {
        var id = Interlocked.Increment(ref _nextId);
        var body = "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(CultureInfo.InvariantCulture)
            + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{\"message\":\"benchmark\"}}}";
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = Request(endpoint, body, session);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode == HttpStatusCode.OK && text.Contains("\"result\"", StringComparison.Ordinal), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (HttpRequestException)
        {
            return (false, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static async Task<string?> InitializeAsync(HttpClient http, Uri endpoint)
    {
        const string Initialize = """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1.0"}}}""";
        using var request = Request(endpoint, Initialize, null);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var session = response.Headers.TryGetValues("Mcp-Session-Id", out var values) ? values.First() : null;
        using var initialized = Request(endpoint, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", session);
        using var acknowledged = await http.SendAsync(initialized);
        return session;
    }

    private static HttpRequestMessage Request(Uri endpoint, string body, string? session)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (session is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        }

        if (!body.Contains("\"initialize\"", StringComparison.Ordinal))
        {
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
        }

        return request;
    }
}
