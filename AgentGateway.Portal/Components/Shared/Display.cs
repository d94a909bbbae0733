using System.Globalization;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Shared;

/// <summary>How pages write times and attachments.</summary>
internal static class Display
{
    public static string When(DateTimeOffset? time) =>
        time is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "—";

    /// <summary>"tenant", "route mcp", "MCP server notes".</summary>
    public static string Target(PolicyTarget? target) => target?.Kind switch
    {
        null => "role bindings only",
        "tenant" => "tenant",
        "route" => $"route {target.Name}",
        "mcp-server" => $"MCP server {target.Name}",
        "agent" => $"agent {target.Name}",
        _ => $"{target.Kind} {target.Name}",
    };
}
