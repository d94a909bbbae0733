using System.Text.Json.Nodes;
using AgentGateway.Contracts.Json;

namespace AgentGateway.Tests.Contracts;

/// <summary>YAML read into JSON and written from it: what is written reads back the same, and hostile YAML is refused before it is built.</summary>
public sealed class YamlJsonTests
{
    [Fact]
    public void WrittenYaml_ReadsBackTheSame_StringsThatLookLikeOtherTypesIncluded()
    {
        var json = new JsonObject
        {
            ["strings"] = new JsonArray("true", "null", "123", "-1.5e3", "", "~", "a: b", "- item", "#comment", "line one\nline two", "'quoted'", "😀", " padded "),
            ["numbers"] = new JsonArray(0, -7, 3.25, long.MaxValue),
            ["flags"] = new JsonArray(true, false),
            ["nothing"] = null,
            ["nested"] = new JsonObject { ["empty"] = new JsonObject(), ["list"] = new JsonArray() },
        };

        var yaml = YamlJson.Write(json);
        Assert.True(JsonNode.DeepEquals(json, YamlJson.Parse(yaml)), yaml);
        Assert.DoesNotContain("...", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasesThatExpandBeyondTheBound_AndDeepNesting_AreRefusedAsFormatErrors()
    {
        var laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + string.Concat(Enumerable.Range(1, 8).Select(level => $"{(char)('a' + level)}: &{(char)('a' + level)} [{string.Join(", ", Enumerable.Repeat($"*{(char)('a' + level - 1)}", 10))}]\n"));
        Assert.Contains("aliases", Assert.Throws<FormatException>(() => YamlJson.Parse(laughs)).Message, StringComparison.Ordinal);
        Assert.Contains("levels", Assert.Throws<FormatException>(() => YamlJson.Parse(new string('[', 100_000))).Message, StringComparison.Ordinal);
        Assert.StartsWith("line ", Assert.Throws<FormatException>(() => YamlJson.Parse("a: [unclosed")).Message, StringComparison.Ordinal);
        var longText = new string('x', 1024 * 1024);
        var repeated = $"a: &a \"{longText}\"\nb: [{string.Join(", ", Enumerable.Repeat("*a", 20))}]\n";
        Assert.Contains("characters", Assert.Throws<FormatException>(() => YamlJson.Parse(repeated)).Message, StringComparison.Ordinal);
        // An alias used as YAML means it is fine.
        Assert.Equal("[1,2]", YamlJson.Parse("a: &list [1, 2]\nb: *list")!["b"]!.ToJsonString());
    }
}
