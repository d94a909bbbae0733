using System.ComponentModel;
using ModelContextProtocol.Server;

namespace AgentGateway.Samples.Utilities.Mcp;

/// <summary>Resources of the "utils" server.</summary>
[McpServerResourceType]
internal sealed class UtilityResources
{
    public const string AboutUri = "utils://about";

    /// <summary>The clock tool's view (an MCP App's <c>ui://</c> resource).</summary>
    public const string ClockViewUri = "ui://utils/clock";

    [McpServerResource(UriTemplate = AboutUri, Name = "about", MimeType = "text/plain"), Description("What this server offers.")]
    public static string About() =>
        "AgentGateway sample MCP server 'utils'. Tools: echo, add, uuid, sha256, base64_encode, base64_decode, now, clock, wait. "
        + "Prompt: checksum_request.";

    [McpServerResource(UriTemplate = ClockViewUri, Name = "clock-view", MimeType = "text/html;profile=mcp-app"), Description("The clock tool's view, an MCP App.")]
    public static string ClockView() =>
        """
        <!doctype html>
        <html><body style="font: 2rem system-ui; text-align: center">
        <div id="clock">--:--:--</div>
        <script>setInterval(() => document.getElementById("clock").textContent = new Date().toISOString().slice(11, 19) + " UTC", 1000);</script>
        </body></html>
        """;
}
