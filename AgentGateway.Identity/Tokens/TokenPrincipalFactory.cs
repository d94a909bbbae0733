using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Identity.Configuration;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentGateway.Identity.Tokens;

/// <summary>
/// Builds the principal OpenIddict turns into tokens, with Keycloak's claim shapes: <c>preferred_username</c>,
/// <c>email</c>, <c>name</c>, <c>realm_access = {"roles": [...]}</c>, <c>azp</c> and <c>aud = agentgateway</c> — or the
/// audiences and resources (RFC 8707) the token request names, so a token can be bound to one protected resource.
/// </summary>
internal static class TokenPrincipalFactory
{
    public const string PreferredUsername = "preferred_username";

    public const string RealmAccess = "realm_access";

    public const string AuthorizedParty = "azp";

    public const string ServiceAccountPrefix = "service-account-";

    private static readonly string[] s_defaultScopes = [Scopes.Profile, Scopes.Email];

    public const string Actor = "act";

    public const string ResourceAccess = "resource_access";

    public const string Groups = "groups";

    public static ClaimsPrincipal ForUser(IdentityUserOptions user, string? clientId, IEnumerable<string> scopes, IReadOnlyCollection<string>? audiences = null)
    {
        var principal = Create(user.Username, user.Email, user.Name, user.Roles, clientId, scopes, audiences);
        var identity = (ClaimsIdentity)principal.Identity!;
        if (user.ClientRoles.Count > 0)
        {
            var access = new JsonObject();
            foreach (var (client, roles) in user.ClientRoles)
            {
                access[client] = new JsonObject { ["roles"] = new JsonArray([.. roles.Distinct(StringComparer.Ordinal).Select(role => (JsonNode)role)]) };
            }

            identity.AddClaim(ResourceAccess, access);
        }

        foreach (var group in user.Groups.Distinct(StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(Groups, group));
        }

        identity.SetDestinations(GetDestinations);
        return principal;
    }

    public static ClaimsPrincipal ForServiceAccount(IdentityClientOptions client, IEnumerable<string> scopes, IReadOnlyCollection<string>? audiences = null) =>
        Create(ServiceAccountPrefix + client.ClientId, email: null, name: null, client.Roles, client.ClientId, scopes, audiences);

    /// <summary>A user's token issued to <paramref name="actorClientId"/>, which acts on the user's behalf (RFC 8693 <c>act</c>).</summary>
    public static ClaimsPrincipal ForDelegation(IdentityUserOptions user, string actorClientId, IEnumerable<string> scopes, IReadOnlyCollection<string>? audiences)
    {
        var principal = ForUser(user, actorClientId, scopes, audiences);
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(Actor, new JsonObject { [Claims.Subject] = ServiceAccountPrefix + actorClientId, [Claims.ClientId] = actorClientId });
        identity.SetDestinations(GetDestinations);
        return principal;
    }

    private static ClaimsPrincipal Create(
        string username, string? email, string? name, IEnumerable<string> roles, string? clientId, IEnumerable<string> scopes, IReadOnlyCollection<string>? audiences)
    {
        var identity = new ClaimsIdentity(
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);

        identity.SetClaim(Claims.Subject, StableSubject(username));
        identity.SetClaim(PreferredUsername, username);
        identity.SetClaim(Claims.Name, string.IsNullOrEmpty(name) ? username : name);
        if (!string.IsNullOrEmpty(email))
        {
            identity.SetClaim(Claims.Email, email);
        }

        var roleArray = new JsonArray();
        foreach (var role in roles.Distinct(StringComparer.Ordinal))
        {
            roleArray.Add(role);
        }

        identity.AddClaim(RealmAccess, new JsonObject { ["roles"] = roleArray });
        if (!string.IsNullOrEmpty(clientId))
        {
            identity.SetClaim(AuthorizedParty, clientId);
        }

        // Like Keycloak's default client scopes, profile and email are always granted.
        identity.SetScopes(scopes.Concat(s_defaultScopes).Distinct(StringComparer.Ordinal));
        identity.SetAudiences(audiences is { Count: > 0 } ? [.. audiences] : [Realm.Audience]);
        identity.SetDestinations(GetDestinations);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>Keycloak-style subject: a UUID derived from the username, stable across restarts.</summary>
    private static string StableSubject(string username)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("agentgateway-user:" + username.ToLowerInvariant()));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    private static IEnumerable<string> GetDestinations(Claim claim) => claim.Type switch
    {
        // The identity token carries its own azp; the access token gets ours.
        AuthorizedParty or Actor => [Destinations.AccessToken],
        _ => [Destinations.AccessToken, Destinations.IdentityToken],
    };
}
