using AgentGateway.Identity.Configuration;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentGateway.Identity.Clients;

/// <summary>Registers the configured clients with OpenIddict's application store before the server accepts requests.</summary>
internal sealed partial class ClientRegistrationService(
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityServerOptions> options,
    ILogger<ClientRegistrationService> logger) : IHostedService
{
    private static readonly string[] s_scopes = ["profile", "email", "roles", Scopes.OfflineAccess];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();

        foreach (var client in options.Value.Clients)
        {
            var existing = await manager.FindByClientIdAsync(client.ClientId, cancellationToken);
            if (existing is not null)
            {
                await manager.DeleteAsync(existing, cancellationToken);
            }

            await manager.CreateAsync(CreateDescriptor(client), cancellationToken);
            LogClientRegistered(client.ClientId, string.Join(' ', client.Grants));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static OpenIddictApplicationDescriptor CreateDescriptor(IdentityClientOptions client)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = client.ClientId,
        };

        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.Endpoints.EndSession);
        foreach (var scope in s_scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        foreach (var grant in client.Grants)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.GrantType + grant);
        }

        descriptor.AddAudiencePermissions([.. client.Audiences]);
        // Resource indicators are compared in their normal form (http://host/, with the path's slash).
        descriptor.AddResourcePermissions([.. client.Resources.Select(resource => new Uri(resource).AbsoluteUri)]);

        if (client.Grants.Contains(GrantTypes.AuthorizationCode))
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
            descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        foreach (var uri in client.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        foreach (var uri in client.PostLogoutRedirectUris)
        {
            descriptor.PostLogoutRedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        return descriptor;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered client {ClientId} with grants {Grants}")]
    private partial void LogClientRegistered(string clientId, string grants);
}
