using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace AgentGateway.Tests.EndToEnd;

[Trait("Category", "EndToEnd")]
public sealed class AppHostPostgresTests
{
    [Fact]
    public async Task WithoutContainerRuntimeOrBinaries_FailsFastNamingWhatToInstall()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-postgres-here-" + Guid.NewGuid().ToString("N"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AgentGateway_AppHost>(
                ["--Postgres:Mode=local", $"--Postgres:BinDirectory={missing}", $"--Postgres:DataDirectory={missing}"],
                timeout.Token);
            await using var app = await builder.BuildAsync(timeout.Token);
        });

        Assert.False(timeout.IsCancellationRequested, "The AppHost hung instead of failing.");
        Assert.Contains("apt-get install -y postgresql", failure.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task OutsideDevelopment_TheDemoIdentityIsRefused_NamingWhatToConfigure()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AgentGateway_AppHost>(
                ["--environment=Production"], timeout.Token);
            await using var app = await builder.BuildAsync(timeout.Token);
        });

        Assert.Contains("Development only", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains("Identity:Authority", failure.ToString(), StringComparison.Ordinal);
    }
}

