using System.ComponentModel;
using ModelContextProtocol.Server;

namespace AgentGateway.Samples.Utilities.Mcp;

/// <summary>Resources of the "utils" server.</summary>
[McpServerResourceType]
internal sealed class UtilityResources
{
    public const string AboutUri = "utils://about";

    [McpServerResource(UriTemplate = AboutUri, Name = "about", MimeType = "text/plain"), Description("What this server offers.")]
    public static string About() =>
        "AgentGateway sample MCP server 'utils'. Tools: echo, add, uuid, sha256, base64_encode, base64_decode, now, wait. "
        + "Prompt: checksum_request.";
}
