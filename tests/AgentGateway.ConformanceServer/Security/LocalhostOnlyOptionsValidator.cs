using Microsoft.Extensions.Options;

namespace AgentGateway.ConformanceServer.Security;

internal sealed class LocalhostOnlyOptionsValidator : IValidateOptions<LocalhostOnlyOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalhostOnlyOptions options)
    {
        if (options.AllowedHosts is not { Count: > 0 } || options.AllowedHosts.Any(string.IsNullOrWhiteSpace))
        {
            return ValidateOptionsResult.Fail(
                $"{LocalhostOnlyOptions.SectionName}:{nameof(LocalhostOnlyOptions.AllowedHosts)} must list at least one non-empty host name, such as 'localhost'.");
        }

        return ValidateOptionsResult.Success;
    }
}
