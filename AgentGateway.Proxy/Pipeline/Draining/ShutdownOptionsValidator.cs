using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Pipeline.Draining;

internal sealed class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>
{
    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Within(options.DrainDelay, TimeSpan.FromMinutes(10), "DrainDelay", "00:00:05", failures);
        Within(options.Timeout, TimeSpan.FromHours(1), "Timeout", "00:00:20", failures);
        Within(options.ReconnectHint, TimeSpan.FromMinutes(10), "ReconnectHint", "00:00:01", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Within(TimeSpan value, TimeSpan most, string key, string example, List<string> failures)
    {
        if (value < TimeSpan.Zero || value > most)
        {
            failures.Add($"{ShutdownOptions.SectionName}:{key} must be a duration from zero to {most:c}, e.g. {example}.");
        }
    }
}
