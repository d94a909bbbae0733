using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace AgentGateway.Tests.EndToEnd;

/// <summary>
/// The AppHost's scale-out option, read from the application model it builds: replicas on their own ports, balancers
/// on the usual ones that probe each replica's readiness on its management port.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class AppHostScaleTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeProxiesAndTwoAdminApis_RunBehindBalancers_ThatFollowEachReplicasReadiness()
    {
        var data = Path.Combine(Path.GetTempPath(), "agentgateway-scale-" + Guid.NewGuid().ToString("N"));
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AgentGateway_AppHost>(
                ["--Scale:Proxies=3", "--Scale:AdminApis=2", $"--Postgres:DataDirectory={Path.Combine(data, "postgres")}", $"--Identity:DataPath={Path.Combine(data, "identity")}"],
                Cancellation);
            var projects = builder.Resources.OfType<ProjectResource>().ToDictionary(project => project.Name, StringComparer.Ordinal);

            await AssertBalancesAsync(projects["proxy"], [(8180, 15120), (8280, 15220), (8380, 15320)], 8080);
            await AssertBalancesAsync(projects["adminapi"], [(5180, 5182), (5280, 5282)], 5080);
            await AssertBalancesAsync(projects["adminapi-xds"], [(5181, 5182), (5281, 5282)], 5081);
            Assert.Equal("true", (await EnvironmentOf(projects["adminapi-xds"]))["Balancer__Http2"]);

            // Every proxy replica takes its config through the xDS balancer and shows every label and an access log on the
            // dashboard; every AdminApi replica has the one master key.
            foreach (var proxy in new[] { "proxy-1", "proxy-2", "proxy-3" })
            {
                var environment = await EnvironmentOf(projects[proxy]);
                Assert.Equal("http://localhost:5081", environment["Xds__Address"]);
                Assert.Equal(["true", "true", "true"], [environment["Telemetry__Metrics__Tenant"], environment["Telemetry__Metrics__Route"], environment["Telemetry__AccessLog__Enabled"]]);
            }

            var keys = await Task.WhenAll(new[] { "adminapi-1", "adminapi-2" }.Select(async name => (await EnvironmentOf(projects[name]))["Secrets__MasterKey"]));
            Assert.Single(keys.Distinct(StringComparer.Ordinal));
            Assert.Equal("http://localhost:5080", (await EnvironmentOf(projects["portal"]))["AdminApi__BaseUrl"]);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10")]
    [InlineData("two")]
    public async Task AScaleOutOfRange_IsRefused_NamingTheSetting(string proxies)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AgentGateway_AppHost>([$"--Scale:Proxies={proxies}"], Cancellation);
            await using var app = await builder.BuildAsync(Cancellation);
        });
        Assert.Contains("Scale:Proxies must be a number of replicas from 1 to 9", failure.ToString(), StringComparison.Ordinal);
    }

    private static async Task AssertBalancesAsync(ProjectResource balancer, (int Port, int Management)[] replicas, int port)
    {
        Assert.Contains(balancer.Annotations.OfType<EndpointAnnotation>(), endpoint => endpoint.Port == port);
        var environment = await EnvironmentOf(balancer);
        for (var index = 0; index < replicas.Length; index++)
        {
            Assert.Equal($"http://localhost:{replicas[index].Port}", environment[$"Balancer__Destinations__{index}__Address"]);
            Assert.Equal($"http://localhost:{replicas[index].Management}", environment[$"Balancer__Destinations__{index}__Health"]);
        }

        Assert.False(environment.ContainsKey($"Balancer__Destinations__{replicas.Length}__Address"));
    }

    internal static async Task<Dictionary<string, string>> EnvironmentOf(ProjectResource project)
    {
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run));
        foreach (var callback in project.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in context.EnvironmentVariables)
        {
            values[name] = value switch
            {
                string text => text,
                ParameterResource parameter => await parameter.GetValueAsync(Cancellation) ?? string.Empty,
                IValueProvider provider => await provider.GetValueAsync(Cancellation) ?? string.Empty,
                _ => value?.ToString() ?? string.Empty,
            };
        }

        return values;
    }
}
