using System.Security.Claims;
using System.Text.Json;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Hosting;

internal static class AuthenticationExtensions
{
    /// <summary>
    /// Bearer tokens from the configured issuer (discovery + JWKS) on every endpoint. Keycloak's realm roles
    /// (<c>realm_access.roles</c>), client roles (<c>resource_access.{client}.roles</c>) and groups map to the
    /// platform's roles: <c>platform-admin</c> (or a platform-admin group) makes a platform admin; a role
    /// <c>tenant:{tenant}:{role}</c> or a group <c>/tenants/{tenant}/{role}</c> grants that tenant role, on top of the
    /// memberships stored in the database.
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
                var clientId = string.IsNullOrEmpty(identity.Value.ClientId) ? identity.Value.Audience : identity.Value.ClientId;
                var adminGroups = identity.Value.PlatformAdminGroups.ToHashSet(StringComparer.Ordinal);
                jwt.Events = new JwtBearerEvents { OnTokenValidated = context => MapKeycloakClaims(context, clientId, adminGroups) };
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AuthorizationPolicies.Proxy, policy => policy.RequireRole(IdentityClaims.ProxyRole, IdentityClaims.PlatformAdminRole));
        return builder;
    }

    private static Task MapKeycloakClaims(TokenValidatedContext context, string clientId, IReadOnlySet<string> platformAdminGroups)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            return Task.CompletedTask;
        }

        var roles = new List<string>();
        foreach (var claim in identity.FindAll(IdentityClaims.RealmAccess).ToList())
        {
            roles.AddRange(RolesOf(claim.Value, access => access));
        }

        foreach (var claim in identity.FindAll(IdentityClaims.ResourceAccess).ToList())
        {
            roles.AddRange(RolesOf(claim.Value, access => access.TryGetProperty(clientId, out var client) ? client : default));
        }

        var groups = identity.FindAll(IdentityClaims.Groups).Select(claim => claim.Value).ToList();
        if (groups.Any(platformAdminGroups.Contains))
        {
            roles.Add(IdentityClaims.PlatformAdminRole);
        }

        foreach (var role in roles.Distinct(StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(IdentityClaims.Role, role));
        }

        foreach (var grant in roles.Select(role => TenantRoleOf(role, IdentityClaims.TenantRolePrefix, ':'))
            .Concat(groups.Select(group => TenantRoleOf(group, IdentityClaims.TenantGroupPrefix, '/')))
            .OfType<string>().Distinct(StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(IdentityClaims.TenantRole, grant));
        }

        return Task.CompletedTask;
    }

    /// <summary>The roles of a Keycloak access claim (<c>{"roles": [...]}</c>, found by <paramref name="select"/>); none when it is not that shape.</summary>
    private static List<string> RolesOf(string json, Func<JsonElement, JsonElement> select)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            var access = select(document.RootElement);
            return access.ValueKind == JsonValueKind.Object && access.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array
                ? [.. roles.EnumerateArray().Where(role => role.ValueKind == JsonValueKind.String).Select(role => role.GetString()!)]
                : [];
        }
        catch (JsonException)
        {
            // A claim that is not JSON grants no roles.
            return [];
        }
    }

    /// <summary><c>{tenant}:{role}</c> for <c>{prefix}{tenant}{separator}{role}</c> naming a known role, else null.</summary>
    private static string? TenantRoleOf(string value, string prefix, char separator)
    {
        if (!value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = value[prefix.Length..].Split(separator);
        return parts.Length == 2 && AgentGateway.Contracts.Names.IsValid(parts[0]) && Validation.ParseRole(parts[1]) is not null
            ? $"{parts[0]}:{parts[1]}"
            : null;
    }
}
