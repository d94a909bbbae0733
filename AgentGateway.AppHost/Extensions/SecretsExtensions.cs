using System.Security.Cryptography;
using Aspire.Hosting.ApplicationModel;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// The master key AdminApi encrypts tenant secrets with: <c>Secrets:MasterKey</c> of the AppHost's configuration, or
/// else a key generated on the first run and kept, readable by the owner only, beside the local PostgreSQL password
/// (<c>&lt;local app data&gt;/agentgateway/secrets-master.key</c>, or next to <c>Postgres:DataDirectory</c>). The
/// database's secrets are unreadable without it, so it lives as long as the data does.
/// </summary>
internal static class SecretsExtensions
{
    public const string MasterKeyFileName = "secrets-master.key";

    private const string ParameterName = "secrets-master-key";

    public static IResourceBuilder<ProjectResource> WithSecretsMasterKey(this IResourceBuilder<ProjectResource> adminApi)
    {
        ArgumentNullException.ThrowIfNull(adminApi);
        var builder = adminApi.ApplicationBuilder;
        var key = builder.Configuration["Secrets:MasterKey"] is { Length: > 0 } configured
            ? configured
            : OwnerOnlyFile.ReadOrCreate(
                Path.Combine(Path.GetDirectoryName(PostgresExtensions.DataDirectory(builder))!, MasterKeyFileName),
                () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        // Every AdminApi replica gets the one key.
        var parameter = builder.Resources.OfType<ParameterResource>().FirstOrDefault(resource => resource.Name == ParameterName) is { } existing
            ? builder.CreateResourceBuilder(existing)
            : builder.AddParameter(ParameterName, key, secret: true);
        return adminApi.WithEnvironment("Secrets__MasterKey", parameter);
    }
}
