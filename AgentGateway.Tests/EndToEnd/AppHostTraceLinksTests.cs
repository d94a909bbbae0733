using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace AgentGateway.Tests.EndToEnd;

/// <summary>The Portal links call trace ids to the Aspire dashboard the AppHost runs, or to the viewer configured instead.</summary>
[Trait("Category", "EndToEnd")]
public sealed class AppHostTraceLinksTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, "http://localhost:15080/traces/detail/{traceId}")]
    [InlineData("https://jaeger.example.com/trace/{traceId}", "https://jaeger.example.com/trace/{traceId}")]
    public async Task ThePortal_LinksTraces_ToTheDashboard_UnlessAnotherViewerIsConfigured(string? configured, string expected)
    {
        var data = Path.Combine(Path.GetTempPath(), "agentgateway-traces-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] args =
            [
                "--ASPNETCORE_URLS=http://localhost:15080", $"--Postgres:DataDirectory={Path.Combine(data, "postgres")}", $"--Identity:DataPath={Path.Combine(data, "identity")}",
                .. configured is null ? Array.Empty<string>() : [$"--Telemetry:TraceUrlTemplate={configured}"],
            ];
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AgentGateway_AppHost>(args, Cancellation);
            var portal = builder.Resources.OfType<ProjectResource>().Single(project => project.Name == "portal");
            Assert.Equal(expected, (await AppHostScaleTests.EnvironmentOf(portal))["Telemetry__TraceUrlTemplate"]);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
