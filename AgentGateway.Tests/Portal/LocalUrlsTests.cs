using AgentGateway.Portal.Authentication;

namespace AgentGateway.Tests.Portal;

/// <summary>After sign-in the Portal sends the browser only to its own paths, whatever the return URL tries.</summary>
public sealed class LocalUrlsTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/tenants/demo/routes")]
    [InlineData("/tenants/demo?x=https://evil.example")]
    [InlineData("~/tenants")]
    public void OwnPaths_AreLocal(string url) => Assert.True(LocalUrls.IsLocal(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("/\t/evil.example/")]
    [InlineData("/\n/evil.example/")]
    [InlineData("\\\\evil.example")]
    [InlineData("~//evil.example")]
    [InlineData("~/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData(" /tenants")]
    [InlineData("evil.example")]
    public void EverythingElse_IsNot(string? url) => Assert.False(LocalUrls.IsLocal(url));

    [Fact]
    public void GeneratedReturnUrls_NeverLeaveThePortal()
    {
        // Whatever is accepted resolves, against the Portal's own address, to the Portal's own host.
        var random = new Random(1206);
        string[] parts = ["/", "\\", "//", "/\\", "\t", "\r\n", "evil.example", "~", ":", "@", "%2F", ".", "..", "?", "#", "javascript:", "http:", " "];
        var portal = new Uri("https://portal.example/");
        for (var index = 0; index < 5000; index++)
        {
            var url = string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => parts[random.Next(parts.Length)]));
            if (LocalUrls.IsLocal(url) && Uri.TryCreate(portal, url.TrimStart('~'), out var resolved))
            {
                Assert.True(resolved.Host == portal.Host, $"'{url}' leads to {resolved}");
            }
        }
    }
}
