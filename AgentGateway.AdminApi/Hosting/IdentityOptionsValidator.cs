using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Hosting;

internal sealed class IdentityOptionsValidator : IValidateOptions<IdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityOptions options)
    {
        var failures = new List<string>();
        if (options.Authority is not { IsAbsoluteUri: true } authority || (authority.Scheme != Uri.UriSchemeHttp && authority.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("Identity:Authority must be the absolute URL of the OpenID Connect issuer, e.g. http://localhost:5070/realms/agentgateway.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Identity:Audience must name the audience AdminApi's tokens carry, e.g. agentgateway.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
