using AgentGateway.Portal.Telemetry;
using Microsoft.Extensions.Options;

namespace AgentGateway.Tests.Portal;

/// <summary>A call's trace id links to the configured trace viewer; a template that cannot work fails at start, saying what to set.</summary>
public sealed class TraceLinksTests
{
    [Fact]
    public void TraceId_LinksToTheViewer_OnlyWhenATemplateIsSet()
    {
        var links = new TraceLinks(Options.Create(new TraceLinkOptions { TraceUrlTemplate = "http://localhost:18888/traces/detail/{traceId}" }));
        Assert.Equal("http://localhost:18888/traces/detail/4bf92f3577b34da6a3ce929d0e0e4736", links.For("4bf92f3577b34da6a3ce929d0e0e4736")?.AbsoluteUri);
        Assert.Null(links.For(null));
        Assert.Null(new TraceLinks(Options.Create(new TraceLinkOptions())).For("4bf92f3577b34da6a3ce929d0e0e4736"));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("http://localhost:18888/traces/detail/{traceId}", true)]
    [InlineData("https://jaeger.example.com/trace/{traceId}", true)]
    [InlineData("http://localhost:18888/traces", false)]
    [InlineData("/traces/detail/{traceId}", false)]
    [InlineData("ftp://host/{traceId}", false)]
    public void Template_MustBeAnAbsoluteHttpUrlWithThePlaceholder(string? template, bool valid)
    {
        var result = new TraceLinkOptionsValidator().Validate(null, new TraceLinkOptions { TraceUrlTemplate = template });
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Telemetry:TraceUrlTemplate", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
