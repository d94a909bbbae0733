using Microsoft.Extensions.Options;

namespace AgentGateway.Portal.Telemetry;

internal sealed class TraceLinkOptionsValidator : IValidateOptions<TraceLinkOptions>
{
    public ValidateOptionsResult Validate(string? name, TraceLinkOptions options)
    {
        if (string.IsNullOrEmpty(options.TraceUrlTemplate))
        {
            return ValidateOptionsResult.Success;
        }

        var sample = options.TraceUrlTemplate.Replace(TraceLinkOptions.Placeholder, "0", StringComparison.Ordinal);
        return options.TraceUrlTemplate.Contains(TraceLinkOptions.Placeholder, StringComparison.Ordinal)
            && Uri.TryCreate(sample, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Telemetry:TraceUrlTemplate must be an absolute http(s) URL with {TraceLinkOptions.Placeholder} where the trace id goes, e.g. http://localhost:18888/traces/detail/{TraceLinkOptions.Placeholder}, or unset; got '{options.TraceUrlTemplate}'.");
    }
}
