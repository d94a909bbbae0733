using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Tools;

/// <summary>Tools that return one fixed kind of content each, and one that always fails.</summary>
[McpServerToolType]
internal sealed class ContentTools
{
    [McpServerTool(Name = "test_simple_text", ReadOnly = true, Idempotent = true), Description("Tests simple text content response")]
    public static string SimpleText() => "This is a simple text response for testing.";

    [McpServerTool(Name = "test_image_content", ReadOnly = true, Idempotent = true), Description("Tests image content response")]
    public static ImageContentBlock ImageContent() => new() { Data = FixtureData.Png, MimeType = "image/png" };

    [McpServerTool(Name = "test_audio_content", ReadOnly = true, Idempotent = true), Description("Tests audio content response")]
    public static AudioContentBlock AudioContent() => new() { Data = FixtureData.Wav, MimeType = "audio/wav" };

    [McpServerTool(Name = "test_embedded_resource", ReadOnly = true, Idempotent = true), Description("Tests embedded resource content response")]
    public static EmbeddedResourceBlock EmbeddedResource() => new()
    {
        Resource = new TextResourceContents
        {
            Uri = "test://embedded-resource",
            MimeType = "text/plain",
            Text = "This is an embedded resource content.",
        },
    };

    [McpServerTool(Name = "test_multiple_content_types", ReadOnly = true, Idempotent = true), Description("Tests response with multiple content types (text, image, resource)")]
    public static IEnumerable<ContentBlock> MultipleContentTypes() =>
    [
        new TextContentBlock { Text = "Multiple content types test:" },
        new ImageContentBlock { Data = FixtureData.Png, MimeType = "image/png" },
        new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents
            {
                Uri = "test://mixed-content-resource",
                MimeType = "application/json",
                Text = """{"test":"data","value":123}""",
            },
        },
    ];

    [McpServerTool(Name = "test_error_handling"), Description("Tests error response handling")]
    public static CallToolResult ErrorHandling() => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = "This tool intentionally returns an error for testing" }],
    };
}
