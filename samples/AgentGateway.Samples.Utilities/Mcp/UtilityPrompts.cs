using System.ComponentModel;
using ModelContextProtocol.Server;

namespace AgentGateway.Samples.Utilities.Mcp;

/// <summary>Prompts of the "utils" server.</summary>
[McpServerPromptType]
internal sealed class UtilityPrompts
{
    [McpServerPrompt(Name = "checksum_request"), Description("Asks the model to compute and explain the SHA-256 checksum of a text with the sha256 tool.")]
    public static string ChecksumRequest([Description("The text to checksum.")] string text) =>
        $"Use the sha256 tool to compute the checksum of the following text, then explain in one sentence what a checksum is good for.\n\n{text}";
}
