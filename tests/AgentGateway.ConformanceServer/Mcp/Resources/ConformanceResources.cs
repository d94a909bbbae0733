using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Resources;

/// <summary>The resources the conformance suite lists and reads: text, binary, a template and a watchable one.</summary>
[McpServerResourceType]
internal sealed class ConformanceResources
{
    public const string StaticTextUri = "test://static-text";
    public const string StaticBinaryUri = "test://static-binary";
    public const string TemplateUri = "test://template/{id}/data";
    public const string WatchedUri = "test://watched-resource";

    [McpServerResource(UriTemplate = StaticTextUri, Name = "static-text", Title = "Static Text Resource", MimeType = "text/plain"), Description("A static text resource for testing")]
    public static string StaticText() => "This is the content of the static text resource.";

    [McpServerResource(UriTemplate = StaticBinaryUri, Name = "static-binary", Title = "Static Binary Resource", MimeType = "image/png"), Description("A static binary resource (image) for testing")]
    public static BlobResourceContents StaticBinary() => new() { Uri = StaticBinaryUri, MimeType = "image/png", Blob = FixtureData.Png };

    [McpServerResource(UriTemplate = TemplateUri, Name = "template", Title = "Resource Template", MimeType = "application/json"), Description("A resource template with parameter substitution")]
    public static TextResourceContents Template(string id) => new()
    {
        Uri = $"test://template/{id}/data",
        MimeType = "application/json",
        Text = JsonSerializer.Serialize(new TemplateData(id, true, $"Data for ID: {id}"), ResourceJsonContext.Default.TemplateData),
    };

    [McpServerResource(UriTemplate = WatchedUri, Name = "watched-resource", Title = "Watched Resource", MimeType = "text/plain"), Description("A resource clients can subscribe to")]
    public static string Watched() => "Watched resource content";
}

internal sealed record TemplateData(string Id, bool TemplateTest, string Data);

[JsonSerializable(typeof(TemplateData))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class ResourceJsonContext : JsonSerializerContext;
