using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// The identity provider: the local Keycloak-shaped issuer, unless <c>Identity:Authority</c> names an external one
/// (a real Keycloak realm), which is then passed to every service instead.
/// </summary>
internal static class IdentityExtensions
{
    public const string RealmPath = "/realms/agentgateway";

    public static AgentGatewayIdentity AddAgentGatewayIdentity(this IDistributedApplicationBuilder builder, GatewayPorts ports)
    {
        if (builder.Configuration["Identity:Authority"] is { Length: > 0 } external)
        {
            return new AgentGatewayIdentity(external.TrimEnd('/'), Resource: null, ClientCredentials.From(builder.Configuration));
        }

        var issuer = GatewayPorts.Url(ports.Identity) + RealmPath;
        var identity = builder.AddService<Projects.AgentGateway_Identity>("identity", ports.Identity)
            .WithEnvironment("Identity__Issuer", issuer)
            .WithUrlForEndpoint("http", url =>
            {
                url.Url = url.Url.TrimEnd('/') + RealmPath + "/.well-known/openid-configuration";
                url.DisplayText = "OpenID configuration";
            });

        if (builder.Configuration["Identity:DataPath"] is { Length: > 0 } dataPath)
        {
            identity.WithEnvironment("Identity__DataPath", Path.GetFullPath(dataPath, builder.AppHostDirectory));
        }

        var settings = builder.Configuration.GetSection("Identity").GetSection("Users").Exists()
            || builder.Configuration.GetSection("Identity").GetSection("Clients").Exists()
            ? Flatten(builder.Configuration.GetSection("Identity"))
            : DemoIdentity.Settings(GatewayPorts.Url(ports.Portal));
        foreach (var (key, value) in settings.Where(s => s.Key.StartsWith("Users:", StringComparison.Ordinal) || s.Key.StartsWith("Clients:", StringComparison.Ordinal)))
        {
            identity.WithEnvironment("Identity__" + key.Replace(":", "__", StringComparison.Ordinal), value);
        }

        return new AgentGatewayIdentity(issuer, identity, ClientCredentials.From(builder.Configuration));
    }

    private static Dictionary<string, string> Flatten(IConfigurationSection section) =>
        section.AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value!, StringComparer.Ordinal);
}
