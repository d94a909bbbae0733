using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Pipeline;

internal sealed class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options) =>
        options.JwksMinRefreshInterval < TimeSpan.Zero || options.JwksMinRefreshInterval > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail("Policies:JwksMinRefreshInterval must be between 00:00:00 and 01:00:00, e.g. 00:00:10.")
            : ValidateOptionsResult.Success;
}
