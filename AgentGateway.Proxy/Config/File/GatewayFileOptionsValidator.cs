using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config.File;

internal sealed class GatewayFileOptionsValidator : IValidateOptions<GatewayFileOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayFileOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConfigFile))
        {
            return ValidateOptionsResult.Success;
        }

        var path = Path.GetFullPath(options.ConfigFile);
        if (!System.IO.File.Exists(path))
        {
            return ValidateOptionsResult.Fail(
                $"Gateway:ConfigFile (--config) names '{path}', which does not exist. Relative paths are resolved against the working directory, which 'dotnet run --project' sets to the project's folder.");
        }

        return options.ReloadDelay < TimeSpan.Zero
            ? ValidateOptionsResult.Fail("Gateway:ReloadDelay must not be negative.")
            : ValidateOptionsResult.Success;
    }
}
