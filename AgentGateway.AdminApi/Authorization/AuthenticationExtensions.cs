using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Authorization;

internal static class AuthenticationExtensions
{
    public const string ProxyPolicy = "proxy";

    /// <summary>
    /// Bearer tokens from the configured issuer (discovery + JWKS) on every endpoint; Keycloak's
    /// <c>realm_access.roles</c> become role claims.
    /// </summary>
    public static IHostApplicationBuilder AddAdminApiAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityOptions>, IdentityOptionsValidator>());

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<IdentityOptions>>((jwt, identity) =>
            {
                var authority = identity.Value.Authority;
                jwt.Authority = authority?.AbsoluteUri.TrimEnd('/');
                jwt.Audience = identity.Value.Audience;
                jwt.RequireHttpsMetadata = authority?.Scheme == Uri.UriSchemeHttps;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters.NameClaimType = IdentityClaims.PreferredUsername;
                jwt.TokenValidationParameters.RoleClaimType = IdentityClaims.Role;
                jwt.Events = new JwtBearerEvents { OnTokenValidated = AddRealmRoles };
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(ProxyPolicy, policy => policy.RequireRole(IdentityClaims.ProxyRole, IdentityClaims.PlatformAdminRole));
        return builder;
    }

    private static Task AddRealmRoles(TokenValidatedContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            return Task.CompletedTask;
        }

        foreach (var claim in identity.FindAll(IdentityClaims.RealmAccess).ToList())
        {
            try
            {
                using var document = JsonDocument.Parse(claim.Value);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array)
                {
                    foreach (var role in roles.EnumerateArray().Where(role => role.ValueKind == JsonValueKind.String))
                    {
                        identity.AddClaim(new Claim(IdentityClaims.Role, role.GetString()!));
                    }
                }
            }
            catch (JsonException)
            {
                // A realm_access claim that is not JSON grants no roles.
            }
        }

        return Task.CompletedTask;
    }
}
