using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Deploy;

/// <summary>The services run with the environment their images give them (ports in <c>ASPNETCORE_HTTP_PORTS</c>).</summary>
public sealed class ImageEnvironmentTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Proxy_WithItsPortInTheHttpPortsVariable_ListensThereBesidesTheManagementListener()
    {
        var directory = Directory.CreateTempSubdirectory("agentgateway-image-environment-");
        try
        {
            var config = Path.Combine(directory.FullName, "gateway.yaml");
            await File.WriteAllTextAsync(config, "routes: []\n", Cancellation);
            var management = new Uri($"http://127.0.0.1:{ServiceProcess.GetFreePort()}");

            // StartAsync waits for /healthz on the port of ASPNETCORE_HTTP_PORTS.
            await using var proxy = await ServiceProcess.StartAsync(
                "AgentGateway.Proxy",
                new Dictionary<string, string> { ["Gateway:ConfigFile"] = config },
                Cancellation,
                environment: new Dictionary<string, string> { ["Management__Url"] = management.ToString().TrimEnd('/') },
                portInHttpPortsVariable: true);

            using var http = new HttpClient();
            using var readiness = await http.GetAsync(new Uri(management, Microsoft.Extensions.Hosting.Extensions.ReadinessPath), Cancellation);
            Assert.True(readiness.IsSuccessStatusCode, $"{readiness.StatusCode}\n{proxy.Output}");
            using var metrics = await http.GetAsync(new Uri(management, Microsoft.Extensions.Hosting.Extensions.MetricsPath), Cancellation);
            Assert.True(metrics.IsSuccessStatusCode, $"{metrics.StatusCode}\n{proxy.Output}");
            Assert.DoesNotContain("Overriding", proxy.Output, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
