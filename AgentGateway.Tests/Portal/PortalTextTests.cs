using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Pages.ApiKeys;
using AgentGateway.Portal.Components.Pages.Egress;
using AgentGateway.Portal.Components.Pages.Routes;
using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;

namespace AgentGateway.Tests.Portal;

/// <summary>How the Portal reads what people type and writes what they read.</summary>
public sealed class PortalTextTests
{
    [Fact]
    public void ToolDefinition_IsRenderedAsSections_WithHiddenCharactersMadeVisible()
    {
        var definition = JsonNode.Parse("""
            {"name": "add_note", "description": "Adds a note.\nKeep it short.\u200B",
             "inputSchema": {"type": "object", "properties": {"title": {"type": "string"}}}}
            """)!.AsObject();

        var lines = LineDiff.Lines(ToolDefinitionText.Render(definition));

        Assert.Equal("name: add_note", lines[0]);
        Assert.Equal(["description:", "  Adds a note.", "  Keep it short.⟦U+200B⟧"], lines.Skip(1).Take(3));
        Assert.Equal("inputSchema:", lines[4]);
        Assert.Contains("    \"type\": \"object\",", lines);
        Assert.Equal(string.Empty, ToolDefinitionText.Render(null));
    }

    [Fact]
    public void ToolDefinition_TagCharacters_AreVisible()
    {
        Assert.Equal("a⟦U+E0041⟧b", ToolDefinitionText.Visible("a" + char.ConvertFromUtf32(0xE0041) + "b"));
        Assert.Equal("<IMPORTANT>", ToolDefinitionText.Visible("<IMPORTANT>"));
    }

    [Theory]
    [InlineData("{\"mode\": \"strict\"}", true, null)]
    [InlineData("[1, 2]", true, "must be a JSON object: { ... }")]
    [InlineData("[1, 2]", false, null)]
    [InlineData("", true, "is empty: write a JSON document, e.g. {}")]
    public void JsonEditor_SaysWhatIsWrong(string text, bool requireObject, string? expected)
    {
        Assert.Equal(expected, JsonEditor.SyntaxError(text, requireObject));
    }

    [Fact]
    public void JsonEditor_SyntaxError_SaysWhere()
    {
        var problem = JsonEditor.SyntaxError("{\n  \"mode\": strict\n}", requireObject: true);

        Assert.StartsWith("at line 2, column 11: ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonEditor_Format_Indents_AndLeavesBrokenTextAlone()
    {
        Assert.Equal("{\n  \"a\": [\n    1\n  ]\n}", JsonEditor.Format("{\"a\":[1]}").ReplaceLineEndings("\n"));
        Assert.Equal("{broken", JsonEditor.Format("{broken"));
    }

    [Fact]
    public void TextLists_SplitCommasAndLines_AndPairsByTheFirstEquals()
    {
        Assert.Equal(["a", "b", "c"], TextLists.Split(" a, b\n\nc ,"));
        Assert.Equal(new Dictionary<string, string> { ["team"] = "notes", ["query"] = "a=b", ["flag"] = "" }, TextLists.Pairs("team = notes\nquery=a=b\nflag\n"));
        Assert.Equal("team=notes", TextLists.PairLines(new Dictionary<string, string> { ["team"] = "notes" }));
    }

    [Fact]
    public void ApiKeyExpiry_IsTheStartOfTheDayAfterTheLastValidDay()
    {
        var expiresAt = ApiKeyList.ExpiresAfter(new DateTime(2030, 1, 31, 0, 0, 0, DateTimeKind.Unspecified));

        Assert.Equal(new DateTimeOffset(2030, 2, 1, 0, 0, 0, TimeSpan.Zero), expiresAt);
        Assert.Equal(new DateTime(2030, 1, 31), ApiKeyList.ValidThrough(expiresAt));
        Assert.Equal(new DateTime(2030, 2, 1), ApiKeyList.ValidThrough(new DateTimeOffset(2030, 2, 1, 10, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void EgressPorts_AreNumbersOrRefused()
    {
        Assert.Equal([443, 8443], EgressAllowlist.ParsePorts("443, 8443"));
        Assert.Equal([], EgressAllowlist.ParsePorts(" "));
        Assert.Null(EgressAllowlist.ParsePorts("443, https"));
        Assert.Null(EgressAllowlist.ParsePorts("-1"));
    }

    [Theory]
    [InlineData(null, "viewer", false)]
    [InlineData("viewer", "viewer", true)]
    [InlineData("developer", "admin", false)]
    [InlineData("owner", "admin", true)]
    public void Me_AllowsByRankInTheTenant(string? role, string minimum, bool allowed)
    {
        var me = new Me("someone", null, false, role is null ? [] : [new MyTenant("demo", "Demo", role)]);

        Assert.Equal(allowed, me.Allows("demo", minimum));
        Assert.False(me.Allows("other", TenantRoles.Viewer));
    }

    [Fact]
    public void Me_PlatformAdmin_OwnsEveryTenant()
    {
        var me = new Me("admin", null, true, []);

        Assert.Equal(TenantRoles.Owner, me.RoleIn("anything"));
        Assert.True(me.Allows("anything", TenantRoles.Admin));
    }
}
