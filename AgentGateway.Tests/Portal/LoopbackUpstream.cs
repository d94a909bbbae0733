using System.Net;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// A real Kestrel upstream on loopback for the Portal's browser tests: it serves an A2A agent card at the well-known
/// path, and answers every other request with its own name and the path it got, so a test can tell which
/// destination a forwarded request reached.
/// </summary>
internal sealed class LoopbackUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackUpstream(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<LoopbackUpstream> StartAsync(string name, JsonObject card)
    {
        var port = ServiceProcess.GetFreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var cardJson = card.ToJsonString();
        app.MapGet("/.well-known/agent-card.json", () => Results.Text(cardJson, "application/json"));
        app.MapFallback(context => context.Response.WriteAsync($"hello from {name} at {context.Request.Path}"));
        await app.StartAsync();
        return new LoopbackUpstream(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
