using System.Text.Json;
using AgentGateway.Tests.Fixtures;
using Aspire.Hosting.Testing;

namespace AgentGateway.Tests.EndToEnd;

/// <summary>The Keycloak realm the AppHost imports when it runs Keycloak, and what it does without a container runtime.</summary>
public sealed class AppHostKeycloakTests
{
    private static readonly string s_realmFile = Path.Combine(ServiceProcess.RepositoryRoot, "AgentGateway.AppHost", "Keycloak", "agentgateway-realm.json");

    [Fact]
    public void TheImportedRealm_HasTheLocalIssuersDemoUsersClientsAndRoles_AndTheMappersTheGatewayNeeds()
    {
        using var realm = JsonDocument.Parse(File.ReadAllText(s_realmFile));
        using var local = JsonDocument.Parse(File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "AgentGateway.Identity", "appsettings.Development.json")));
        var root = realm.RootElement;
        Assert.Equal("agentgateway", root.GetProperty("realm").GetString());

        var clients = root.GetProperty("clients").EnumerateArray().ToDictionary(client => client.GetProperty("clientId").GetString()!);
        var users = root.GetProperty("users").EnumerateArray().ToDictionary(user => user.GetProperty("username").GetString()!);
        foreach (var client in local.RootElement.GetProperty("Identity").GetProperty("Clients").EnumerateArray())
        {
            var id = client.GetProperty("ClientId").GetString()!;
            Assert.True(clients.TryGetValue(id, out var keycloakClient), $"The realm has no client '{id}'.");
            Assert.Equal(client.GetProperty("ClientSecret").GetString(), keycloakClient.GetProperty("secret").GetString());
            var grants = client.GetProperty("Grants").EnumerateArray().Select(grant => grant.GetString()).ToList();
            Assert.Equal(grants.Contains("client_credentials"), keycloakClient.TryGetProperty("serviceAccountsEnabled", out var accounts) && accounts.GetBoolean());
            Assert.Equal(grants.Contains("password"), keycloakClient.TryGetProperty("directAccessGrantsEnabled", out var direct) && direct.GetBoolean());
            Assert.Equal(
                grants.Contains("urn:ietf:params:oauth:grant-type:token-exchange"),
                keycloakClient.TryGetProperty("attributes", out var attributes) && attributes.TryGetProperty("standard.token.exchange.enabled", out var exchange) && exchange.GetString() == "true");
            if (client.TryGetProperty("Roles", out var roles))
            {
                var account = users[$"service-account-{id}"];
                Assert.Equal(roles.EnumerateArray().Select(role => role.GetString()), account.GetProperty("realmRoles").EnumerateArray().Select(role => role.GetString()));
            }
        }

        foreach (var user in local.RootElement.GetProperty("Identity").GetProperty("Users").EnumerateArray())
        {
            var keycloakUser = users[user.GetProperty("Username").GetString()!];
            Assert.Equal(user.GetProperty("Password").GetString(), keycloakUser.GetProperty("credentials")[0].GetProperty("value").GetString());
            var roles = user.GetProperty("Roles").EnumerateArray().Select(role => role.GetString()).ToList();
            Assert.Equal(roles, keycloakUser.TryGetProperty("realmRoles", out var realmRoles) ? realmRoles.EnumerateArray().Select(role => role.GetString()).ToList() : []);
        }

        // The developer's membership of tenant demo is a group, as AdminApi maps groups /tenants/{tenant}/{role}.
        Assert.Equal(["/tenants/demo/developer"], users["developer"].GetProperty("groups").EnumerateArray().Select(group => group.GetString()));

        // Every client's tokens carry the platform's audience, the gateway's (for token exchange) and full group paths.
        var scope = root.GetProperty("clientScopes").EnumerateArray().Single(candidate => candidate.GetProperty("name").GetString() == "agentgateway");
        var mappers = scope.GetProperty("protocolMappers").EnumerateArray().Select(mapper => mapper.GetProperty("config")).ToList();
        Assert.Contains(mappers, config => config.TryGetProperty("included.custom.audience", out var audience) && audience.GetString() == "agentgateway");
        Assert.Contains(mappers, config => config.TryGetProperty("included.client.audience", out var audience) && audience.GetString() == "agentgateway-proxy");
        Assert.Contains(mappers, config => config.TryGetProperty("claim.name", out var claim) && claim.GetString() == "groups" && config.GetProperty("full.path").GetString() == "true");
        Assert.Contains("agentgateway", root.GetProperty("defaultDefaultClientScopes").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal("true", clients["agentgateway-proxy"].GetProperty("attributes").GetProperty("standard.token.exchange.enabled").GetString());

        // Keycloak exchanges only a token whose audience holds the requester: the Portal's tokens name the Portal, so
        // its playground can trade them for one of the gateway's audience alone.
        Assert.Contains(clients["agentgateway-portal"].GetProperty("protocolMappers").EnumerateArray(),
            mapper => mapper.GetProperty("config").TryGetProperty("included.client.audience", out var audience) && audience.GetString() == "agentgateway-portal");
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task TheKeycloakProvider_RunsKeycloakWithTheRealm_OrFailsFastWithoutAContainerRuntime()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var containers = ContainerRuntimeAnswers();
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AgentGateway_AppHost>(
                ["--Identity:Provider=keycloak", "--Postgres:Mode=local"], timeout.Token);
            var keycloak = Assert.Single(builder.Resources.OfType<Aspire.Hosting.ApplicationModel.ContainerResource>(), resource => resource.Name == "keycloak");
            Assert.True(containers, "Keycloak was configured although no container runtime answers.");
            Assert.DoesNotContain(builder.Resources, resource => resource.Name == "identity");
            Assert.Contains(keycloak.Annotations.OfType<Aspire.Hosting.ApplicationModel.ContainerMountAnnotation>(),
                mount => mount.Target == "/opt/keycloak/data/import" && mount.Source == Path.GetDirectoryName(s_realmFile));
        }
        catch (Exception failure) when (!containers && failure is not Xunit.Sdk.XunitException)
        {
            Assert.False(timeout.IsCancellationRequested, "The AppHost hung instead of failing.");
            Assert.Contains("neither Docker nor Podman answers", failure.ToString(), StringComparison.Ordinal);
        }
    }

    private static bool ContainerRuntimeAnswers()
    {
        foreach (var command in new[] { "docker", "podman" })
        {
            try
            {
                using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(command, "info")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                if (process.WaitForExit(TimeSpan.FromSeconds(4)) && process.ExitCode == 0)
                {
                    return true;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed.
            }
        }

        return false;
    }
}
