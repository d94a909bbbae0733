using System.Globalization;
using System.Text.Json;
using AgentGateway.Tests.Deploy.Fixtures;

namespace AgentGateway.Tests.Deploy;

/// <summary>
/// The container settings of the four services' images, as MSBuild evaluates each project: what
/// <c>dotnet publish -t:PublishContainer</c> will build (the proxy's image itself is built in <see cref="ContainerImageTests"/>).
/// </summary>
public sealed class ContainerPropertiesTests
{
    public static TheoryData<string, string> Images => new()
    {
        { "AgentGateway.Proxy", "agentgateway/proxy" },
        { "AgentGateway.AdminApi", "agentgateway/adminapi" },
        { "AgentGateway.Portal", "agentgateway/portal" },
        { "AgentGateway.Identity", "agentgateway/identity" },
    };

    public static TheoryData<string> Projects => ["AgentGateway.Proxy", "AgentGateway.AdminApi", "AgentGateway.Portal", "AgentGateway.Identity"];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Images))]
    public async Task Image_IsChiseledNonRootLabelledAndWithoutDiagnostics(string project, string repository)
    {
        var evaluation = await EvaluateAsync(project);

        Assert.Equal(repository, evaluation.Property("ContainerRepository"));
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", evaluation.Property("ContainerBaseImage"), StringComparison.Ordinal);
        Assert.True(
            int.TryParse(evaluation.Property("ContainerUser"), NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid > 0,
            $"ContainerUser is '{evaluation.Property("ContainerUser")}': a numeric non-root user");
        Assert.Equal("MIT", evaluation.Property("ContainerLicenseExpression"));
        Assert.StartsWith("AgentGateway ", evaluation.Property("ContainerTitle"), StringComparison.Ordinal);
        Assert.NotEmpty(evaluation.Property("ContainerDescription"));
        Assert.Equal("0", evaluation.Environment["DOTNET_EnableDiagnostics"]);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task Image_ExposesExactlyThePortsItsEnvironmentMakesTheServiceListenOn(string project)
    {
        var evaluation = await EvaluateAsync(project);

        // ASPNETCORE_HTTP_PORTS, named Kestrel endpoints and the management listener are how the services listen.
        var listening = new SortedSet<int>();
        foreach (var (name, value) in evaluation.Environment)
        {
            if (name == "ASPNETCORE_HTTP_PORTS")
            {
                listening.UnionWith(value.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(port => int.Parse(port, CultureInfo.InvariantCulture)));
            }
            else if (name == "Management__Url" || (name.StartsWith("Kestrel__Endpoints__", StringComparison.Ordinal) && name.EndsWith("__Url", StringComparison.Ordinal)))
            {
                listening.Add(int.Parse(value[(value.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
            }
        }

        Assert.Contains(8080, listening);
        Assert.Equal(listening, new SortedSet<int>(evaluation.Ports));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task Publish_LeavesOutTheDevelopmentSettings(string project)
    {
        var evaluation = await EvaluateAsync(project);

        Assert.All(
            evaluation.Content.Where(item => item.Path.StartsWith("appsettings.Development", StringComparison.OrdinalIgnoreCase)),
            item => Assert.Equal("Never", item.CopyToPublishDirectory));
        Assert.Contains(evaluation.Content, item => item.Path == "appsettings.json" && item.CopyToPublishDirectory != "Never");
    }

    private static async Task<Evaluation> EvaluateAsync(string project)
    {
        string[] properties = ["ContainerRepository", "ContainerBaseImage", "ContainerUser", "ContainerLicenseExpression", "ContainerTitle", "ContainerDescription"];
        var result = await CommandLine.RunAsync(
            "dotnet",
            [
                "msbuild", project, "-nologo", "-nodeReuse:false",
                .. properties.Select(property => $"-getProperty:{property}"),
                "-getItem:ContainerPort", "-getItem:ContainerEnvironmentVariable", "-getItem:Content",
            ],
            TimeSpan.FromMinutes(1),
            Cancellation);
        Assert.True(result.ExitCode == 0, $"dotnet msbuild {project} failed:\n{result.Output}");
        using var json = JsonDocument.Parse(result.StandardOutput);
        var items = json.RootElement.GetProperty("Items");
        return new Evaluation(
            json.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(property => property.Name, property => property.Value.GetString() ?? string.Empty),
            Items(items, "ContainerEnvironmentVariable").ToDictionary(item => item.GetProperty("Identity").GetString()!, item => item.GetProperty("Value").GetString()!),
            [.. Items(items, "ContainerPort").Select(item => int.Parse(item.GetProperty("Identity").GetString()!, CultureInfo.InvariantCulture))],
            [.. Items(items, "Content").Select(item => new ContentItem(
                item.GetProperty("Identity").GetString()!,
                item.TryGetProperty("CopyToPublishDirectory", out var copy) ? copy.GetString() ?? string.Empty : string.Empty))]);
    }

    private static IEnumerable<JsonElement> Items(JsonElement items, string name) =>
        items.TryGetProperty(name, out var list) ? list.EnumerateArray() : [];

    private sealed record ContentItem(string Path, string CopyToPublishDirectory);

    private sealed record Evaluation(
        IReadOnlyDictionary<string, string> Properties, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<int> Ports, IReadOnlyList<ContentItem> Content)
    {
        public string Property(string name) => Properties.TryGetValue(name, out var value) ? value : string.Empty;
    }
}
