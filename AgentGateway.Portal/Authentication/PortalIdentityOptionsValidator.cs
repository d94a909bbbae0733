using Microsoft.Extensions.Options;

namespace AgentGateway.Portal.Authentication;

internal sealed class PortalIdentityOptionsValidator : IValidateOptions<PortalIdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalIdentityOptions options)
    {
        var failures = new List<string>();
        if (options.Authority is not { IsAbsoluteUri: true } authority || (authority.Scheme != Uri.UriSchemeHttp && authority.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("Identity:Authority must be the absolute URL of the OpenID Connect issuer, e.g. http://localhost:5070/realms/agentgateway.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add("Identity:ClientId must name the Portal's client at the issuer, e.g. agentgateway-portal.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            failures.Add("Identity:ClientSecret must be the Portal client's secret at the issuer.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
