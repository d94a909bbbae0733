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
    /// <summary>Cookie sessions signed in through the issuer (authorization code + PKCE); every page needs a user.</summary>
    public static IHostApplicationBuilder AddPortalAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PortalIdentityOptions>().BindConfiguration(PortalIdentityOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PortalIdentityOptions>, PortalIdentityOptionsValidator>());
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
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
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
                oidc.SaveTokens = true;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email", "offline_access" })
                {
                    oidc.Scope.Add(scope);
                }

                oidc.TokenValidationParameters.NameClaimType = PortalClaims.PreferredUsername;
                oidc.TokenValidationParameters.RoleClaimType = "role";
                oidc.Events.OnTokenValidated = context =>
                {
                    (context.Principal?.Identity as ClaimsIdentity)?.AddClaim(new Claim(PortalClaims.Session, Guid.NewGuid().ToString("N")));
                    return Task.CompletedTask;
                };
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();
        return builder;
    }

    /// <summary>Authentication, authorization, and the hand-over of each signed-in user's tokens to interactive pages.</summary>
    public static WebApplication UsePortalAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(async (context, next) =>
        {
            if (context.User.FindFirstValue(PortalClaims.Session) is { } session)
            {
                var accessToken = await context.GetTokenAsync("access_token");
                var expiresAt = await context.GetTokenAsync("expires_at");
                if (accessToken is not null
                    && DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiry))
                {
                    var store = context.RequestServices.GetRequiredService<UserTokenStore>();
                    store.Offer(session, new UserTokens(accessToken, await context.GetTokenAsync("refresh_token"), expiry));
                }
            }

            await next(context);
        });
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
        endpoints.MapGet("/logout", (ClaimsPrincipal user, UserTokenStore store) =>
        {
            if (user.FindFirstValue(PortalClaims.Session) is { } session)
            {
                store.Remove(session);
            }

            return TypedResults.SignOut(
                new AuthenticationProperties { RedirectUri = "/" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
        });
        return endpoints;
    }
}
