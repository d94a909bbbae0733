using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// A plain HTTP upstream on loopback that answers every request with what it received (method, path, query, headers,
/// body, its own name) as JSON, and that a test can tell to fail or be slow: the next requests answer a status or
/// wait, <c>/healthz</c> answers <see cref="HealthStatus"/>, <c>/partial</c> sends part of a body and then breaks
/// the connection, <c>/sized</c> answers with a Content-Length and <c>/chunked</c> in chunks.
/// </summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly WebApplication _app;
    /// <summary>Scripted answers of the next requests: a status (0: the echo) after a delay.</summary>
    private readonly ConcurrentQueue<(int Status, TimeSpan Delay)> _scripted = new();

    private EchoUpstream(string name, int port)
    {
        Name = name;
        Address = new Uri($"http://127.0.0.1:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public string Name { get; }

    public Uri Address { get; }

    /// <summary>The status <c>/healthz</c> answers.</summary>
    public int HealthStatus { get; set; } = StatusCodes.Status200OK;

    /// <summary>How many times <c>/healthz</c> was probed.</summary>
    public int HealthProbes => _healthProbes;

    /// <summary>Every request other than health probes, in order.</summary>
    public ConcurrentQueue<EchoedRequest> Requests { get; } = new();

    private int _healthProbes;
    private TaskCompletionSource? _hold;

    public static async Task<EchoUpstream> StartAsync(string name = "echo")
    {
        var upstream = new EchoUpstream(name, ServiceProcess.GetFreePort());
        await upstream._app.StartAsync();
        return upstream;
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> (after <paramref name="delay"/>).</summary>
    public void FailNext(int count, int status, TimeSpan delay = default)
    {
        for (var index = 0; index < count; index++)
        {
            _scripted.Enqueue((status, delay));
        }
    }

    /// <summary>The next <paramref name="count"/> requests wait <paramref name="delay"/> before their echo.</summary>
    public void DelayNext(int count, TimeSpan delay) => FailNext(count, 0, delay);

    /// <summary>Requests wait (after they are recorded) until <see cref="Release"/>.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Interlocked.Exchange(ref _hold, null)?.TrySetResult();

    /// <summary>Forgets scripted answers and recorded requests.</summary>
    public void Reset()
    {
        _scripted.Clear();
        Requests.Clear();
        Release();
        HealthStatus = StatusCodes.Status200OK;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path == "/healthz")
        {
            Interlocked.Increment(ref _healthProbes);
            context.Response.StatusCode = HealthStatus;
            return;
        }

        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var echoed = new EchoedRequest(
            Name,
            request.Method,
            request.Path.Value ?? "/",
            request.QueryString.Value ?? string.Empty,
            request.Host.Value ?? string.Empty,
            request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal),
            body);
        Requests.Enqueue(echoed);

        var (status, delay) = _scripted.TryDequeue(out var scripted) ? scripted : (0, TimeSpan.Zero);
        if (request.Headers.TryGetValue("x-delay-ms", out var delayHeader) && int.TryParse(delayHeader, out var delayMs))
        {
            delay = TimeSpan.FromMilliseconds(delayMs);
        }

        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (_hold is { } hold)
        {
            await hold.Task.WaitAsync(context.RequestAborted);
        }

        if (request.Path.Value?.EndsWith("/partial", StringComparison.Ordinal) == true)
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("part of the answer", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);

            // Let the first bytes reach the other side before the connection breaks (a reset discards unread data).
            await Task.Delay(500, context.RequestAborted);
            context.Features.Get<IConnectionLifetimeFeature>()?.Abort();
            context.Abort();
            return;
        }

        if (request.Path.Value?.EndsWith("/sized", StringComparison.Ordinal) == true)
        {
            var sized = "an answer of a declared size"u8.ToArray();
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = sized.Length;
            await context.Response.Body.WriteAsync(sized, context.RequestAborted);
            return;
        }

        if (request.Path.Value?.EndsWith("/chunked", StringComparison.Ordinal) == true)
        {
            // Two writes, the first flushed well before the second: the answer goes in chunks, with no Content-Length,
            // through a proxy too.
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("the first part, ", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(100, context.RequestAborted);
            await context.Response.WriteAsync("and the second", context.RequestAborted);
            return;
        }

        if (status != 0)
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync($"{Name} failed with {status}", context.RequestAborted);
            return;
        }

        context.Response.Headers["x-upstream"] = Name;
        context.Response.Headers["x-upstream-remove-me"] = "present";
        await context.Response.WriteAsJsonAsync(echoed, s_json, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One request as <see cref="EchoUpstream"/> received it (header names lower case).</summary>
public sealed record EchoedRequest(
    [property: JsonPropertyName("upstream")] string Upstream,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("query")] string Query,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("body")] string Body);
