using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Fixtures;

/// <summary>A token endpoint answering what the test scripts, and a revocation endpoint recording what it is sent.</summary>
public sealed class ScriptedTokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedTokenServer(int port)
    {
        Address = new Uri($"http://127.0.0.1:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.MapPost("/token", () => Results.Content(Next.Body, "application/json", Encoding.UTF8, Next.Status));
        _app.MapPost("/revoke", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            // A confidential client's credentials come in Basic auth: shown after the form, decoded.
            Revocations.Enqueue(request.Headers.Authorization.ToString() is { Length: > 6 } basic && basic.StartsWith("Basic ", StringComparison.Ordinal)
                ? $"{body} as {Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..]))}"
                : body);
            var token = body.Split('&').FirstOrDefault(part => part.StartsWith("token=", StringComparison.Ordinal))?[6..] ?? string.Empty;
            RevocationTimes.Enqueue((token, DateTimeOffset.UtcNow));
            return RevocationAnswers.TryGetValue(token, out var answers) && answers.TryDequeue(out var status)
                ? Results.StatusCode(status)
                : Results.Ok();
        });
    }

    public Uri Address { get; }

    public (int Status, string Body) Next { get; set; } = (200, "{}");

    /// <summary>What the revocation endpoint answers for a token, one status per request, then 200.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<int>> RevocationAnswers { get; } = new(StringComparer.Ordinal);

    /// <summary>When each token was sent to the revocation endpoint, in order.</summary>
    public ConcurrentQueue<(string Token, DateTimeOffset At)> RevocationTimes { get; } = [];

    /// <summary>The forms sent to the revocation endpoint, in order, each followed by the client's credentials when it sent them.</summary>
    public ConcurrentQueue<string> Revocations { get; } = [];

    public static async Task<ScriptedTokenServer> StartAsync()
    {
        var server = new ScriptedTokenServer(ServiceProcess.GetFreePort());
        await server._app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
