using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Domain.Secrets;

internal sealed class SecretsOptionsValidator : IValidateOptions<SecretsOptions>
{
    private const string HowToMakeOne = "make one with 'openssl rand -base64 32'";

    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.MasterKey))
        {
            failures.Add($"Secrets:MasterKey is not set. It is the base64 of 32 random bytes that encrypts tenant secrets; {HowToMakeOne}, and keep it: without it stored secrets cannot be read.");
        }
        else if (!SecretProtector.TryDecodeKey(options.MasterKey, out _))
        {
            failures.Add($"Secrets:MasterKey must be the base64 of exactly 32 bytes (AES-256); {HowToMakeOne}.");
        }

        for (var index = 0; index < options.PreviousMasterKeys.Count; index++)
        {
            if (!SecretProtector.TryDecodeKey(options.PreviousMasterKeys[index], out _))
            {
                failures.Add($"Secrets:PreviousMasterKeys:{index} must be the base64 of exactly 32 bytes (a master key used before a rotation).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
