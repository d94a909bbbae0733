using AgentGateway.Tests.Deploy.Fixtures;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Deploy;

/// <summary>agw as a user gets it: packed as a .NET tool, installed from the package, and run.</summary>
[Trait("Category", "EndToEnd")]
public sealed class CliToolPackageTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheCli_PacksAsADotnetTool_ThatInstallsAndRunsAsAgw()
    {
        var directory = Directory.CreateTempSubdirectory("agentgateway-cli-");
        try
        {
            var (packages, tools) = (Path.Combine(directory.FullName, "packages"), Path.Combine(directory.FullName, "tools"));
            var pack = await CommandLine.RunAsync(
                "dotnet", ["pack", "AgentGateway.Cli", "--no-build", "-c", ServiceProcess.BuildConfiguration, "-o", packages, "-nologo", "-nodeReuse:false"], TimeSpan.FromMinutes(2), Cancellation);
            Assert.True(pack.ExitCode == 0, pack.Output);
            var install = await CommandLine.RunAsync(
                "dotnet", ["tool", "install", "AgentGateway.Cli", "--tool-path", tools, "--add-source", packages], TimeSpan.FromMinutes(2), Cancellation,
                // A package cache of its own: the shared one may hold an older build of the same version.
                new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(directory.FullName, "cache") });
            Assert.True(install.ExitCode == 0, install.Output);

            var help = await CommandLine.RunAsync(Path.Combine(tools, "agw"), ["--help"], TimeSpan.FromMinutes(1), Cancellation);
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("agw config apply <tenant> [--file <file>] [--prune] [--dry-run] [--expand-env]", help.Output, StringComparison.Ordinal);
            var usage = await CommandLine.RunAsync(Path.Combine(tools, "agw"), ["tenants", "list"], TimeSpan.FromMinutes(1), Cancellation,
                new Dictionary<string, string> { ["AGW_URL"] = string.Empty, ["AGW_TOKEN"] = string.Empty });
            Assert.Equal(2, usage.ExitCode);
            Assert.Contains("AdminApi's URL is needed", usage.Output, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
