using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.AccessLog;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Tests.Proxy.Telemetry;

/// <summary>The access log's line says what the client was answered, and a log the proxy cannot write stops it as it starts.</summary>
public sealed partial class AccessLogWriterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly string _directory = Directory.CreateTempSubdirectory("agentgateway-access-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ALine_HasTheStatusTheClientGets_500WhenServingThrew_499WhenTheClientLeftUnanswered_AndTheBytesSent()
    {
        var path = Path.Combine(_directory, "access.log");
        var options = new TelemetryOptions { AccessLog = { Enabled = true, Path = path } };
        using var writer = new AccessLogWriter(
            Options.Create(options), new GatewayMetrics(_services.GetRequiredService<IMeterFactory>(), new MetricLabels(Options.Create(options))),
            TimeProvider.System, NullLogger<AccessLogWriter>.Instance);
        await writer.StartAsync(Cancellation);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.LogAsync(Request("/threw"), _ => throw new InvalidOperationException("a bug")));
        using var left = new CancellationTokenSource();
        var abandoned = Request("/left");
        abandoned.RequestAborted = left.Token;
        await writer.LogAsync(abandoned, async _ => await left.CancelAsync());
        await writer.LogAsync(Request("/answered"), context =>
        {
            context.Response.ContentLength = 5;
            return context.Response.WriteAsync("hello", Cancellation);
        });
        await writer.LogAsync(Request("/streamed"), async context =>
        {
            GatewayRequestRecord.Of(context)!.CountSent(context);
            await context.Response.WriteAsync("hello, ", Cancellation);
            await context.Response.WriteAsync("world", Cancellation);
        });
        var head = Request("/head");
        head.Request.Method = "HEAD";
        await writer.LogAsync(head, context =>
        {
            // A HEAD answer declares the length of the body a GET would have, and sends none.
            context.Response.ContentLength = 5;
            return Task.CompletedTask;
        });
        var lines = (await LinesAsync(path, 5)).Select(line => JsonNode.Parse(line)!).ToDictionary(line => (string)line["path"]!);
        await writer.StopAsync(Cancellation);

        Assert.Equal(500, (int)lines["/threw"]["status"]!);
        Assert.Equal(499, (int)lines["/left"]["status"]!);
        Assert.Equal(200, (int)lines["/answered"]["status"]!);
        Assert.Equal(5, (long)lines["/answered"]["bytes_sent"]!);
        Assert.Equal(12, (long)lines["/streamed"]["bytes_sent"]!);
        Assert.Equal(0, (long)lines["/head"]["bytes_sent"]!);
    }

    [Fact]
    public async Task AnAccessLogFileTheProxyCannotOpen_StopsItAsItStarts_WithAnExitCodeThatSaysSo()
    {
        // A directory where the file should be: refused to root too, which a file's mode is not.
        var settings = new Dictionary<string, string>
        {
            ["Telemetry:AccessLog:Enabled"] = "true",
            ["Telemetry:AccessLog:Path"] = _directory,
            ["Gateway:ConfigFile"] = Path.Combine(_directory, "none.yaml"),
        };
        await File.WriteAllTextAsync(settings["Gateway:ConfigFile"], "routes: []\n", Cancellation);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("AgentGateway.Proxy", settings, Cancellation));

        var exit = ExitCode().Match(failure.Message);
        Assert.True(exit.Success, failure.Message);
        Assert.NotEqual("0", exit.Groups[1].Value);
        Assert.Contains($"'{_directory}'", failure.Message, StringComparison.Ordinal);
    }

    private static async Task<string[]> LinesAsync(string path, int count)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(20, Cancellation))
        {
            var lines = File.Exists(path) ? await File.ReadAllLinesAsync(path, Cancellation) : [];
            if (lines.Length >= count || DateTime.UtcNow > deadline)
            {
                return lines;
            }
        }
    }

    private static DefaultHttpContext Request(string path) => new() { Request = { Method = "GET", Path = path } };

    [GeneratedRegex("exited with code (-?[0-9]+)")]
    private static partial Regex ExitCode();
}
