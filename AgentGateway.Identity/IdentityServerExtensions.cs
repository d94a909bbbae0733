using AgentGateway.Identity.Accounts;
using AgentGateway.Identity.Clients;
using AgentGateway.Identity.Configuration;
using AgentGateway.Identity.Data;
using AgentGateway.Identity.Keys;
using AgentGateway.Identity.Tokens;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentGateway.Identity;

/// <summary>Wires the local, Keycloak-shaped OpenID Connect issuer.</summary>
internal static class IdentityServerExtensions
{
    public static WebApplicationBuilder AddIdentityServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddOptions<IdentityServerOptions>()
            .BindConfiguration(IdentityServerOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityServerOptions>, IdentityServerOptionsValidator>());
        services.TryAddSingleton<UserDirectory>();

        // Bound eagerly because OpenIddict's options need the issuer and keys while the container is built.
        var settings = builder.Configuration.GetSection(IdentityServerOptions.SectionName).Get<IdentityServerOptions>()
            ?? new IdentityServerOptions();
        var dataPath = settings.ResolveDataPath();

        var databaseName = "agentgateway-identity-" + Guid.NewGuid().ToString("N");
        services.AddDbContext<IdentityDbContext>(options =>
        {
            options.UseInMemoryDatabase(databaseName);
            options.UseOpenIddict();
        });

        services.AddAntiforgery();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, options =>
            {
                options.Cookie.Name = "AGENTGATEWAY_IDENTITY";
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.HttpOnly = true;
                options.LoginPath = Realm.LoginPath;
                options.ReturnUrlParameter = "returnUrl";
                options.ExpireTimeSpan = TimeSpan.FromHours(10);
                options.SlidingExpiration = true;
            });
        services.AddAuthorization();

        services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>())
            .AddServer(options =>
            {
                if (Uri.TryCreate(settings.Issuer, UriKind.Absolute, out var issuer))
                {
                    options.SetIssuer(issuer);
                }

                options.SetConfigurationEndpointUris(Realm.Relative(Realm.ConfigurationPath))
                    .SetAuthorizationEndpointUris(Realm.Relative(Realm.AuthorizationPath))
                    .SetTokenEndpointUris(Realm.Relative(Realm.TokenPath))
                    .SetJsonWebKeySetEndpointUris(Realm.Relative(Realm.JwksPath))
                    .SetUserInfoEndpointUris(Realm.Relative(Realm.UserInfoPath))
                    .SetEndSessionEndpointUris(Realm.Relative(Realm.LogoutPath));

                options.AllowAuthorizationCodeFlow()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow()
                    .AllowPasswordFlow()
                    .AllowTokenExchangeFlow()
                    .RequireProofKeyForCodeExchange();

                options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess);
                options.RegisterClaims(
                    Claims.Subject, Claims.Name, Claims.Email, TokenPrincipalFactory.PreferredUsername,
                    TokenPrincipalFactory.RealmAccess, TokenPrincipalFactory.AuthorizedParty,
                    TokenPrincipalFactory.ResourceAccess, TokenPrincipalFactory.Groups);
                options.RegisterAudiences([Realm.Audience, .. settings.Audiences]);
                if (settings.Resources.Count > 0)
                {
                    options.RegisterResources([.. settings.Resources.Select(resource => new Uri(resource).AbsoluteUri)]);
                }

                options.SetAccessTokenLifetime(settings.AccessTokenLifetime > TimeSpan.Zero ? settings.AccessTokenLifetime : TimeSpan.FromHours(1));

                // RS256 JWT access tokens that any JwtBearer handler validates through the JWKS.
                options.AddSigningKey(RsaKeyStore.LoadOrCreate(dataPath, "signing-key.pem"));
                options.AddEncryptionKey(RsaKeyStore.LoadOrCreate(dataPath, "encryption-key.pem"));
                options.DisableAccessTokenEncryption();

                // Discovery names the registration endpoint (RFC 8414 registration_endpoint) while registration is on,
                // and says whether client ID metadata documents are accepted.
                if (settings.MaxDynamicClients > 0)
                {
                    options.AddEventHandler<OpenIddict.Server.OpenIddictServerEvents.HandleConfigurationRequestContext>(handler => handler.UseInlineHandler(context =>
                    {
                        context.Metadata["registration_endpoint"] = new Uri(context.BaseUri!, Realm.Relative(Realm.RegistrationPath)).AbsoluteUri;
                        context.Metadata["client_id_metadata_document_supported"] = settings.ClientMetadataDocuments;
                        return default;
                    }));

                    // A client named by its metadata document's URL is registered from it before its id is checked.
                    options.AddEventHandler<OpenIddict.Server.OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler => handler
                        .UseInlineHandler(async context =>
                        {
                            if (!ClientMetadataDocuments.IsDocumentUrl(context.ClientId, settings))
                            {
                                return;
                            }

                            var services = Microsoft.AspNetCore.OpenIddictServerAspNetCoreHelpers.GetHttpRequest(context.Transaction)!.HttpContext.RequestServices;
                            var problem = await services.GetRequiredService<ClientMetadataDocuments>()
                                .EnsureRegisteredAsync(services.GetRequiredService<OpenIddict.Abstractions.IOpenIddictApplicationManager>(), context.ClientId!, context.CancellationToken);
                            if (problem is not null)
                            {
                                context.Reject(error: Errors.InvalidClient, description: $"The client could not be identified: {problem}.");
                            }
                        })
                        .SetOrder(OpenIddict.Server.OpenIddictServerHandlers.Authentication.ValidateClientIdParameter.Descriptor.Order + 1));
                }

                options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });

        services.AddHostedService<ClientRegistrationService>();
        services.AddHttpClient(ClientMetadataDocuments.HttpClientName)
            .WithoutResilience()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectCallback = (context, cancellationToken) => DocumentAddresses.ConnectAsync(context, settings.ClientMetadataDocumentsOnLoopbackHttp, cancellationToken),
            });
        services.TryAddSingleton<ClientMetadataDocuments>();
        return builder;
    }

    public static WebApplication UseIdentityServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapIdentityServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapAccountEndpoints();
        app.MapOidcEndpoints();
        app.MapClientRegistration();
        app.MapGet("/", () => Results.Redirect(Realm.ConfigurationPath)).ExcludeFromDescription();
        return app;
    }
}
