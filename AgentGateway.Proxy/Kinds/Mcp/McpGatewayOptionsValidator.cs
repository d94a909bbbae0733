using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Kinds.Mcp;

internal sealed class McpGatewayOptionsValidator : IValidateOptions<McpGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, McpGatewayOptions options)
    {
        var failures = new List<string>();
        if (options.TargetTimeout <= TimeSpan.Zero)
        {
            failures.Add("Mcp:TargetTimeout must be a positive time span, e.g. 00:00:10.");
        }

        if (options.SessionIdleTimeout <= TimeSpan.Zero)
        {
            failures.Add("Mcp:SessionIdleTimeout must be a positive time span, e.g. 00:30:00.");
        }

        if (options.InitializeTimeout <= TimeSpan.Zero)
        {
            failures.Add("Mcp:InitializeTimeout must be a positive time span, e.g. 00:00:10.");
        }

        if (options.SessionLifetime < options.SessionIdleTimeout)
        {
            failures.Add("Mcp:SessionLifetime must be at least Mcp:SessionIdleTimeout.");
        }

        if (options.MaxConcurrentRequestsPerSession < 1)
        {
            failures.Add("Mcp:MaxConcurrentRequestsPerSession must be at least 1.");
        }

        if (options.MaxRequestBodySize < 1024)
        {
            failures.Add("Mcp:MaxRequestBodySize must be at least 1024 bytes.");
        }

        foreach (var (value, key) in new[]
        {
            (options.MaxSessionsPerRoute, nameof(options.MaxSessionsPerRoute)), (options.MaxSessionsPerTenant, nameof(options.MaxSessionsPerTenant)),
            (options.MaxStdioProcessesPerRoute, nameof(options.MaxStdioProcessesPerRoute)), (options.MaxStdioProcessesPerTenant, nameof(options.MaxStdioProcessesPerTenant)),
        })
        {
            if (value < 1)
            {
                failures.Add($"Mcp:{key} must be at least 1.");
            }
        }

        if (options.StreamKeepAliveInterval <= TimeSpan.Zero)
        {
            failures.Add("Mcp:StreamKeepAliveInterval must be a positive time span, e.g. 00:00:15.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
