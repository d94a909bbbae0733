using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// The identity provider: the local Keycloak-shaped issuer; or, with <c>Identity:Provider</c> <c>keycloak</c> and a
/// container runtime, Keycloak itself with the realm in <c>Keycloak/agentgateway-realm.json</c> imported; or the
/// external realm <c>Identity:Authority</c> names (a Keycloak realm elsewhere), passed to every service instead.
/// </summary>
internal static class IdentityExtensions
{
    public const string RealmPath = "/realms/agentgateway";

    /// <summary>The Keycloak image the <c>keycloak</c> provider runs.</summary>
    public const string KeycloakImage = "quay.io/keycloak/keycloak";

    public const string KeycloakTag = "26.4";

    public static AgentGatewayIdentity AddAgentGatewayIdentity(this IDistributedApplicationBuilder builder, GatewayPorts ports)
    {
        if (builder.Configuration["Identity:Authority"] is { Length: > 0 } external)
        {
            return new AgentGatewayIdentity(external.TrimEnd('/'), Resource: null, ClientCredentials.From(builder.Configuration, builder.Environment.IsDevelopment()));
        }

        var issuer = GatewayPorts.Url(ports.Identity) + RealmPath;
        if (string.Equals(builder.Configuration["Identity:Provider"], "keycloak", StringComparison.OrdinalIgnoreCase))
        {
            return new AgentGatewayIdentity(issuer, builder.AddKeycloak(ports), ClientCredentials.From(builder.Configuration, builder.Environment.IsDevelopment()));
        }

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

        var configured = builder.Configuration.GetSection("Identity").GetSection("Users").Exists()
            || builder.Configuration.GetSection("Identity").GetSection("Clients").Exists();
        if (!configured && !builder.Environment.IsDevelopment())
        {
            // The demo users and client secrets are for a development machine only.
            throw new InvalidOperationException(
                $"The AppHost runs in '{builder.Environment.EnvironmentName}': it starts the demo identity (users admin/admin and developer/developer, known client secrets) in Development only. "
                + "Set Identity:Authority to your identity provider's realm (with Identity:PortalClientId/Secret and Identity:ProxyClientId/Secret), or run in Development.");
        }

        var settings = configured ? Flatten(builder.Configuration.GetSection("Identity")) : DemoIdentity.Settings(GatewayPorts.Url(ports.Portal), GatewayPorts.Url(ports.Proxy));
        foreach (var (key, value) in settings.Where(s => s.Key.StartsWith("Users:", StringComparison.Ordinal) || s.Key.StartsWith("Clients:", StringComparison.Ordinal)
            || s.Key.StartsWith("Audiences:", StringComparison.Ordinal) || s.Key.StartsWith("Resources:", StringComparison.Ordinal)))
        {
            identity.WithEnvironment("Identity__" + key.Replace(":", "__", StringComparison.Ordinal), value);
        }

        return new AgentGatewayIdentity(issuer, identity, ClientCredentials.From(builder.Configuration, builder.Environment.IsDevelopment()));
    }

    /// <summary>
    /// Keycloak in a container on the identity port, in development mode, with the demo realm imported (the same users,
    /// clients, roles and groups as the local issuer's). Needs Docker or Podman.
    /// </summary>
    private static IResourceBuilder<ContainerResource> AddKeycloak(this IDistributedApplicationBuilder builder, GatewayPorts ports)
    {
        if (!ContainerRuntime.IsHealthy(TimeSpan.FromSeconds(4)))
        {
            throw new DistributedApplicationException(
                "Identity:Provider is 'keycloak', which runs Keycloak in a container, but neither Docker nor Podman answers. "
                + "Start a container runtime, or leave Identity:Provider unset to use the local issuer.");
        }

        // Keycloak's own admin console: a generated password, kept in the AppHost's user secrets.
        var adminPassword = builder.CreateResourceBuilder(ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, "keycloak-admin-password"));
        return builder.AddContainer("keycloak", KeycloakImage, KeycloakTag)
            .WithArgs("start-dev", "--import-realm", "--health-enabled=true")
            .WithBindMount(Path.Combine(builder.AppHostDirectory, "Keycloak"), "/opt/keycloak/data/import", isReadOnly: true)
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword)
            .WithHttpEndpoint(port: ports.Identity, targetPort: 8080, name: "http", isProxied: false)
            .WithHttpEndpoint(targetPort: 9000, name: "management")
            .WithHttpHealthCheck("/health/ready", endpointName: "management")
            .WithUrlForEndpoint("http", url =>
            {
                url.Url = url.Url.TrimEnd('/') + RealmPath + "/.well-known/openid-configuration";
                url.DisplayText = "OpenID configuration";
            });
    }

    private static Dictionary<string, string> Flatten(IConfigurationSection section) =>
        section.AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value!, StringComparer.Ordinal);
}
