using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentGateway.Tests.Deploy.Fixtures;

/// <summary>
/// The objects <c>kubectl kustomize</c> renders from a directory of <c>deploy/kubernetes</c>, as JSON (plain YAML
/// numbers and booleans typed, quoted ones strings), rendered once per directory.
/// </summary>
public sealed class KubernetesManifests
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<KubernetesManifests>>> s_rendered = new(StringComparer.Ordinal);

    private KubernetesManifests(IReadOnlyList<JsonObject> objects) => Objects = objects;

    public IReadOnlyList<JsonObject> Objects { get; }

    /// <summary>Renders <c>deploy/kubernetes/{directory}</c> with the <c>kubectl</c> on the PATH.</summary>
    public static Task<KubernetesManifests> RenderAsync(string directory) =>
        s_rendered.GetOrAdd(directory, key => new Lazy<Task<KubernetesManifests>>(() => RenderNowAsync(key))).Value;

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(item => (string?)item["kind"] == kind);

    public JsonObject? Find(string kind, string name) => OfKind(kind).SingleOrDefault(item => Name(item) == name);

    public static string Name(JsonObject item) => (string)item["metadata"]!["name"]!;

    private static async Task<KubernetesManifests> RenderNowAsync(string directory)
    {
        var path = Path.Combine("deploy", "kubernetes", directory);
        CommandResult result;
        try
        {
            result = await CommandLine.RunAsync("kubectl", ["kustomize", path], TimeSpan.FromMinutes(1), CancellationToken.None);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("kubectl is not on the PATH (Debian: apt-get install kubernetes-client; .ci/run installs it).", exception);
        }

        Assert.True(result.ExitCode == 0, $"kubectl kustomize {path} failed:\n{result.Output}");
        var stream = new YamlStream();
        stream.Load(new StringReader(result.StandardOutput));
        return new KubernetesManifests([.. stream.Documents.Select(document => (JsonObject)ToJson(document.RootNode)!)]);
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(child =>
            KeyValuePair.Create(((YamlScalarNode)child.Key).Value!, ToJson(child.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var plain } => plain switch
        {
            null or "null" or "~" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ => JsonValue.Create(plain),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}."),
    };
}
