using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config.Xds;

internal sealed class XdsOptionsValidator : IValidateOptions<XdsOptions>
{
    public ValidateOptionsResult Validate(string? name, XdsOptions options)
    {
        var failures = new List<string>();
        if (options.Address is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("Xds:Address must be the absolute http(s) URL of the control plane's xDS endpoint, e.g. http://localhost:5081 (or start the proxy with --config FILE for standalone mode).");
        }

        if (!string.IsNullOrEmpty(options.ClientId))
        {
            if (string.IsNullOrEmpty(options.ClientSecret))
            {
                failures.Add("Xds:ClientSecret is required when Xds:ClientId is set.");
            }

            if (options.Authority is not { IsAbsoluteUri: true })
            {
                failures.Add("Identity:Authority must be the issuer URL (e.g. http://localhost:5070/realms/agentgateway) when Xds:ClientId is set.");
            }
        }

        if (options.InitialBackoff <= TimeSpan.Zero || options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add("Xds:InitialBackoff must be positive and no larger than Xds:MaxBackoff.");
        }

        if (options.UserTokenCacheDuration < TimeSpan.Zero || options.UserTokenCacheDuration > TimeSpan.FromHours(1))
        {
            failures.Add("Xds:UserTokenCacheDuration must be between 0 and 1 hour.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
