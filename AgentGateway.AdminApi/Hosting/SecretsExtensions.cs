using AgentGateway.AdminApi.Domain.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Hosting;

internal static class SecretsExtensions
{
    /// <summary>Encryption of tenant secrets under <c>Secrets:MasterKey</c>, checked at startup.</summary>
    public static IHostApplicationBuilder AddTenantSecrets(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecretsOptions>, SecretsOptionsValidator>());
        builder.Services.TryAddSingleton<SecretProtector>();
        builder.Services.TryAddSingleton<SecretReencryption>();
        return builder;
    }
}
