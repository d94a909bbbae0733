using AgentGateway.Contracts.Mcp;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Tests.Contracts;

public sealed class FederatedNamesTests
{
    [Theory]
    [InlineData(PrefixMode.Conditional, 1, false)]
    [InlineData(PrefixMode.Conditional, 2, true)]
    [InlineData(PrefixMode.Always, 1, true)]
    [InlineData(PrefixMode.Never, 3, false)]
    public void UsesPrefix_FollowsMode(PrefixMode mode, int targets, bool expected) =>
        Assert.Equal(expected, FederatedNames.UsesPrefix(mode, targets));

    [Fact]
    public void TrySplit_PrefixedName_SplitsAtFirstSeparator()
    {
        Assert.True(FederatedNames.TrySplit("notes_add_note", out var target, out var name));
        Assert.Equal("notes", target);
        Assert.Equal("add_note", name);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("_leading")]
    [InlineData("trailing_")]
    public void TrySplit_UnprefixedName_Fails(string value) =>
        Assert.False(FederatedNames.TrySplit(value, out _, out _));

    [Theory]
    [InlineData("utils", "notes://n1", "utils+notes://n1")]
    [InlineData("utils", "file:///tmp/{name}", "utils+file:///tmp/{name}")]
    [InlineData("utils", "ui://utils/clock", "ui://utils/utils/clock")]
    [InlineData("weather", "UI://dash", "ui://weather/dash")]
    public void AResourceUri_IsComposed_AndSplitBack_KeepingAnAppsUiScheme(string target, string uri, string composed)
    {
        Assert.Equal(composed, FederatedNames.ComposeUri(target, uri, prefixed: true));
        Assert.True(FederatedNames.TrySplitUri(composed, out var splitTarget, out var upstream));
        Assert.Equal(target, splitTarget);
        Assert.Equal(uri.StartsWith("UI://", StringComparison.Ordinal) ? "ui://" + uri[5..] : uri, upstream);
    }

    [Theory]
    [InlineData("ui://clock")]
    [InlineData("ui:///clock")]
    [InlineData("ui://utils/")]
    [InlineData("notes://n1")]
    public void AUiUriWithoutATargetSegment_DoesNotSplit(string uri) =>
        Assert.False(FederatedNames.TrySplitUri(uri, out _, out _));

    [Theory]
    [InlineData("demo", true)]
    [InlineData("my-server2", true)]
    [InlineData("Demo", false)]
    [InlineData("a_b", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("", false)]
    public void Names_IsValid_FollowsRule(string value, bool expected) =>
        Assert.Equal(expected, AgentGateway.Contracts.Names.IsValid(value));
}
