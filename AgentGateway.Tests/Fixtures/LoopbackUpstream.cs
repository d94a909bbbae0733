using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// A real Kestrel server on loopback that serves an A2A agent card at <c>/.well-known/agent-card.json</c> (the one
/// set with <see cref="Card"/>; a 404 while it is null) and answers every other request with what it received: the
/// method, path, query and headers as JSON.
/// </summary>
public sealed class LoopbackUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackUpstream(int port)
    {
        Address = new Uri($"http://127.0.0.1:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.MapGet("/.well-known/agent-card.json", () => Card is { } card ? Results.Content(card.ToJsonString(), "application/json") : Results.NotFound());
        _app.Map("/{**path}", async context =>
        {
            var echo = new JsonObject
            {
                ["method"] = context.Request.Method,
                ["path"] = context.Request.Path.Value,
                ["query"] = context.Request.QueryString.Value,
                ["headers"] = new JsonObject(context.Request.Headers.Select(header =>
                    KeyValuePair.Create(header.Key.ToLowerInvariant(), (JsonNode?)header.Value.ToString()))),
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(echo.ToJsonString(), context.RequestAborted);
        });
    }

    public Uri Address { get; }

    /// <summary>The agent card served; null answers 404.</summary>
    public JsonObject? Card { get; set; }

    public static async Task<LoopbackUpstream> StartAsync()
    {
        var upstream = new LoopbackUpstream(ServiceProcess.GetFreePort());
        await upstream._app.StartAsync();
        return upstream;
    }

    /// <summary>An A2A agent card as agents publish it.</summary>
    public static JsonObject AgentCard(string name, string version, params string[] skills) => new()
    {
        ["protocolVersion"] = "0.3.0",
        ["name"] = name,
        ["description"] = $"The {name} agent.",
        ["url"] = "http://127.0.0.1/a2a",
        ["version"] = version,
        ["capabilities"] = new JsonObject { ["streaming"] = true, ["pushNotifications"] = false },
        ["defaultInputModes"] = new JsonArray("text/plain"),
        ["defaultOutputModes"] = new JsonArray("text/plain"),
        ["skills"] = new JsonArray([.. skills.Select(skill => (JsonNode)new JsonObject
        {
            ["id"] = skill,
            ["name"] = $"Skill {skill}",
            ["description"] = $"Does {skill}.",
            ["tags"] = new JsonArray("demo", skill),
            ["examples"] = new JsonArray($"please {skill}"),
        })]),
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
