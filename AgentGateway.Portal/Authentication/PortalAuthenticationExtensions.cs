using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace AgentGateway.Portal.Authentication;

internal static class PortalAuthenticationExtensions
{
    private const string SignOutIdTokenKey = "agentgateway.signout.id_token";

    /// <summary>Cookie sessions signed in through the issuer (authorization code + PKCE); every page needs a user.</summary>
    public static IHostApplicationBuilder AddPortalAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PortalIdentityOptions>().BindConfiguration(PortalIdentityOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PortalIdentityOptions>, PortalIdentityOptionsValidator>());
        builder.AddPortalSessionStorage();
        services.TryAddSingleton<UserTokenStore>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "agentgateway.portal";
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = UserTokenStore.Lifetime;

                // A session is only as good as its tokens on the server: signed out (here or on another instance),
                // expired there, or never stored, the cookie no longer signs anyone in.
                options.Events.OnValidatePrincipal = async context =>
                {
                    var store = context.HttpContext.RequestServices.GetRequiredService<UserTokenStore>();
                    if (context.Principal?.FindFirstValue(PortalClaims.Session) is not { } session
                        || await store.GetAsync(session, context.HttpContext.RequestAborted) is null)
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            })
            .AddOpenIdConnect();
        services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme)
            .Configure<IOptions<PortalIdentityOptions>>((oidc, identity) =>
            {
                var settings = identity.Value;
                oidc.Authority = settings.Authority?.AbsoluteUri.TrimEnd('/');
                oidc.RequireHttpsMetadata = settings.Authority?.Scheme == Uri.UriSchemeHttps;
                oidc.ClientId = settings.ClientId;
                oidc.ClientSecret = settings.ClientSecret;
                oidc.ResponseType = OpenIdConnectResponseType.Code;
                oidc.UsePkce = true;
                // The tokens go to the server-side store (below), not into the cookie.
                oidc.SaveTokens = false;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email", "offline_access" })
                {
                    oidc.Scope.Add(scope);
                }

                oidc.TokenValidationParameters.NameClaimType = PortalClaims.PreferredUsername;
                oidc.TokenValidationParameters.RoleClaimType = "role";
                oidc.Events.OnTokenValidated = async context =>
                {
                    if (context.TokenEndpointResponse is not { AccessToken: { Length: > 0 } accessToken } tokens
                        || context.Principal?.Identity is not ClaimsIdentity identity)
                    {
                        context.Fail("The issuer gave no access token.");
                        return;
                    }

                    var session = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                    identity.AddClaim(new Claim(PortalClaims.Session, session));
                    var lifetime = int.TryParse(tokens.ExpiresIn, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? seconds : 300;
                    var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
                    await context.HttpContext.RequestServices.GetRequiredService<UserTokenStore>()
                        .SetAsync(session, new UserTokens(accessToken, tokens.RefreshToken, now.AddSeconds(lifetime), tokens.IdToken), context.HttpContext.RequestAborted);
                };
                oidc.Events.OnRedirectToIdentityProviderForSignOut = context =>
                {
                    // The ID token lives in the store, not the cookie; /logout reads it before removing the session.
                    if (context.HttpContext.Items[SignOutIdTokenKey] is string idToken)
                    {
                        context.ProtocolMessage.IdTokenHint = idToken;
                    }

                    return Task.CompletedTask;
                };
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();
        return builder;
    }

    /// <summary>Authentication and authorization.</summary>
    public static WebApplication UsePortalAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary><c>/login</c> starts a sign-in; <c>/logout</c> ends the Portal session and the issuer's.</summary>
    public static IEndpointRouteBuilder MapPortalAuthentication(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/login", (string? returnUrl) => TypedResults.Challenge(new AuthenticationProperties
        {
            RedirectUri = LocalUrls.IsLocal(returnUrl) ? returnUrl : "/",
        })).AllowAnonymous();
        endpoints.MapGet("/logout", async (HttpContext context, ClaimsPrincipal user, UserTokenStore store, CancellationToken cancellationToken) =>
        {
            if (user.FindFirstValue(PortalClaims.Session) is { } session)
            {
                context.Items[SignOutIdTokenKey] = (await store.GetAsync(session, cancellationToken))?.IdToken;
                await store.RemoveAsync(session, cancellationToken);
            }

            return TypedResults.SignOut(
                new AuthenticationProperties { RedirectUri = "/" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
        });
        return endpoints;
    }
}
