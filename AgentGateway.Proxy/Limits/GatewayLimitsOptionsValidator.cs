using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Limits;

internal sealed class GatewayLimitsOptionsValidator : IValidateOptions<GatewayLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayLimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(options.MaxRequestBodyBytes, "MaxRequestBodyBytes", "31457280 (30 MiB)", failures);
        Positive(options.MaxUpstreamMessageBytes, "MaxUpstreamMessageBytes", "16777216 (16 MiB)", failures);
        Positive(options.MaxFetchedDocumentBytes, "MaxFetchedDocumentBytes", "4194304 (4 MiB)", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(long value, string key, string example, List<string> failures)
    {
        if (value is <= 0 or > int.MaxValue)
        {
            failures.Add($"Limits:{key} must be a number of bytes above zero and below 2 GiB, e.g. {example}.");
        }
    }
}
