using System.Globalization;
using System.Text;
using AgentGateway.Tests.Deploy.Fixtures;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Deploy;

/// <summary>
/// The proxy's image as <c>dotnet publish -t:PublishContainer</c> builds it, on a stand-in base image pulled from a
/// registry in the test (no container engine, no internet), written to a tarball and read back.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ContainerImageTests
{
    private const string RepositoryUrl = "https://example.test/agentgateway";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishContainer_OfTheProxy_BuildsAnImageThatRunsAsNonRootOnTheManagementAndTrafficPorts_WithoutDevelopmentSettings()
    {
        await using var registry = await OciRegistry.StartAsync();
        var (config, layer) = TestBaseImage.Create();
        var baseImage = registry.Add("dotnet/aspnet", "10.0", config, [layer]);
        var directory = Directory.CreateTempSubdirectory("agentgateway-image-");
        try
        {
            var archive = Path.Combine(directory.FullName, "proxy.tar.gz");
            var publish = await CommandLine.RunAsync(
                "dotnet",
                [
                    "publish", "AgentGateway.Proxy", "--no-build", "-c", ServiceProcess.BuildConfiguration, "-t:PublishContainer", "-nologo", "-nodeReuse:false",
                    $"-p:ContainerBaseImage={baseImage}",
                    $"-p:ContainerArchiveOutputPath={archive}",
                    $"-p:PublishDir={Path.Combine(directory.FullName, "publish")}{Path.DirectorySeparatorChar}",
                    $"-p:RepositoryUrl={RepositoryUrl}",
                ],
                TimeSpan.FromMinutes(2),
                Cancellation,
                new Dictionary<string, string> { ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registry.Host });
            Assert.True(publish.ExitCode == 0, $"dotnet publish failed:\n{publish.Output}\nregistry requests: {string.Join(", ", registry.Requests)}");

            var image = await OciImageArchive.ReadAsync(archive, Cancellation);

            Assert.Equal("linux", image.Config.GetProperty("os").GetString());
            Assert.Equal("amd64", image.Config.GetProperty("architecture").GetString());

            // Non-root, as a number Kubernetes' runAsNonRoot can check (the base ran as root).
            var user = image.Setting("User").GetString();
            Assert.True(int.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid > 0, $"User is '{user}'");

            Assert.Equal(["dotnet", "/app/AgentGateway.Proxy.dll"], image.Setting("Entrypoint").EnumerateArray().Select(part => part.GetString()));
            Assert.Equal("/app/", image.Setting("WorkingDir").GetString());

            var environment = image.Setting("Env").EnumerateArray()
                .Select(variable => variable.GetString()!.Split('=', 2))
                .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
            Assert.Equal("0", environment["DOTNET_EnableDiagnostics"]);
            Assert.Equal("8080", environment["ASPNETCORE_HTTP_PORTS"]);
            Assert.Equal("http://+:15020", environment["Management__Url"]);
            Assert.Equal(
                ["15020/tcp", "8080/tcp"],
                image.Setting("ExposedPorts").EnumerateObject().Select(port => port.Name).Order(StringComparer.Ordinal));

            var labels = image.Setting("Labels").EnumerateObject().ToDictionary(label => label.Name, label => label.Value.GetString(), StringComparer.Ordinal);
            Assert.Equal(RepositoryUrl, labels["org.opencontainers.image.source"]);
            Assert.Equal("AgentGateway Proxy", labels["org.opencontainers.image.title"]);
            Assert.Equal("MIT", labels["org.opencontainers.image.licenses"]);
            Assert.Contains("Data plane", labels["org.opencontainers.image.description"], StringComparison.Ordinal);
            Assert.Equal(baseImage, labels["org.opencontainers.image.base.name"]);

            // The base's layer, then the app's.
            Assert.Equal(2, image.Layers.Count);
            Assert.Contains(TestBaseImage.Placeholder, image.Layers[0].Keys);
            var app = image.Layers[1];
            Assert.Contains("app/AgentGateway.Proxy.dll", app.Keys);
            Assert.Contains("app/AgentGateway.ServiceDefaults.dll", app.Keys);
            Assert.Contains("app/appsettings.json", app.Keys);
            Assert.DoesNotContain("app/appsettings.Development.json", app.Keys);
            Assert.DoesNotContain(app.Keys, path => path.Contains("Tests", StringComparison.OrdinalIgnoreCase) || path.Contains("xunit", StringComparison.OrdinalIgnoreCase));
            Assert.All(app.Keys, path => Assert.StartsWith("app/", path, StringComparison.Ordinal));
            // The development client secret of appsettings.Development.json is nowhere in the image.
            Assert.DoesNotContain(app, file => Encoding.UTF8.GetString(file.Value).Contains("proxy-secret", StringComparison.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
