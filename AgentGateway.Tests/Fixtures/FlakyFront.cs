using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// A real Kestrel server on loopback in front of another server: it passes every request through (answers streamed as
/// they come), unless told to fail the next posts of a JSON-RPC method with a status or to hold them for a while first.
/// It remembers the method of every post it saw, so a test can tell which messages were sent again.
/// </summary>
public sealed class FlakyFront : IAsyncDisposable
{
    private static readonly HashSet<string> s_hopHeaders = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Keep-Alive", "Content-Length" };

    private readonly WebApplication _app;
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Uri _target;
    private readonly List<(string? Method, int Status, TimeSpan Delay)> _scripted = [];

    private FlakyFront(Uri target, int port)
    {
        _target = target;
        Address = new Uri($"http://127.0.0.1:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.Run(PassAsync);
    }

    public Uri Address { get; }

    /// <summary>The JSON-RPC method of every POST seen (<c>response</c> for a response, empty for a body that is not JSON-RPC).</summary>
    public ConcurrentQueue<string> Methods { get; } = new();

    /// <summary>Every POST seen: its <c>traceparent</c> header and its JSON body.</summary>
    public ConcurrentQueue<(string? TraceParent, JsonObject? Body)> Posts { get; } = new();

    /// <summary>The address of <paramref name="path"/> through the front.</summary>
    public Uri Url(string path) => new(Address, path);

    public static async Task<FlakyFront> StartAsync(Uri target)
    {
        var front = new FlakyFront(target, ServiceProcess.GetFreePort());
        await front._app.StartAsync();
        return front;
    }

    /// <summary>The next <paramref name="count"/> posts of <paramref name="method"/> are answered <paramref name="status"/> without reaching the server.</summary>
    public void FailNext(int count, int status, string method) => Script(count, method, status, TimeSpan.Zero);

    /// <summary>The next <paramref name="count"/> posts of <paramref name="method"/> are held for <paramref name="delay"/> before they pass.</summary>
    public void DelayNext(int count, TimeSpan delay, string method) => Script(count, method, 0, delay);

    public void Reset()
    {
        lock (_scripted)
        {
            _scripted.Clear();
        }

        Methods.Clear();
    }

    private void Script(int count, string method, int status, TimeSpan delay)
    {
        lock (_scripted)
        {
            _scripted.AddRange(Enumerable.Repeat<(string?, int, TimeSpan)>((method, status, delay), count));
        }
    }

    /// <summary>What is scripted for the next post of <paramref name="method"/>, if anything (taken).</summary>
    private (int Status, TimeSpan Delay)? Take(string method)
    {
        lock (_scripted)
        {
            var index = _scripted.FindIndex(entry => entry.Method == method);
            if (index < 0)
            {
                return null;
            }

            var (_, status, delay) = _scripted[index];
            _scripted.RemoveAt(index);
            return (status, delay);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private async Task PassAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (HttpMethods.IsPost(context.Request.Method))
        {
            var method = MethodOf(body.ToArray());
            Methods.Enqueue(method);
            Posts.Enqueue((context.Request.Headers["traceparent"].FirstOrDefault(), ParseObject(body.ToArray())));
            if (Take(method) is { } scripted)
            {
                await Task.Delay(scripted.Delay, context.RequestAborted);
                if (scripted.Status != 0)
                {
                    context.Response.StatusCode = scripted.Status;
                    return;
                }
            }
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_target, context.Request.Path + context.Request.QueryString))
        {
            Content = body.Length > 0 || HttpMethods.IsPost(context.Request.Method) ? new ByteArrayContent(body.ToArray()) : null,
        };
        foreach (var (name, values) in context.Request.Headers)
        {
            if (!s_hopHeaders.Contains(name) && !request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!s_hopHeaders.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static string MethodOf(byte[] body) => ParseObject(body) is { } message
        ? message["method"]?.GetValue<string>() ?? (message.ContainsKey("result") || message.ContainsKey("error") ? "response" : string.Empty)
        : string.Empty;

    private static JsonObject? ParseObject(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
