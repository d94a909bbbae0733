using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentGateway.Identity.Configuration;

/// <summary>Validates <see cref="IdentityServerOptions"/> at startup; each message names the key and how to fix it.</summary>
internal sealed class IdentityServerOptionsValidator(IHostEnvironment environment) : IValidateOptions<IdentityServerOptions>
{
    /// <summary>The secrets of the demo clients, which only a development machine may run with.</summary>
    private static readonly string[] s_demoSecrets = ["portal-secret", "cli-secret", "proxy-secret"];

    public ValidateOptionsResult Validate(string? name, IdentityServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var development = environment.IsDevelopment() || environment.IsEnvironment("Testing");
        if (!development && !options.AllowOutsideDevelopment)
        {
            failures.Add($"The local issuer runs in Development only (this is '{environment.EnvironmentName}'): use your identity provider (Keycloak) for a platform, or set Identity:AllowOutsideDevelopment=true to run this one with users and clients of your own.");
        }

        if (!development)
        {
            foreach (var user in options.Users.Where(user => user.Password.Length > 0 && string.Equals(user.Password, user.Username, StringComparison.Ordinal)))
            {
                failures.Add($"Identity:Users: the password of '{user.Username}' is its name, a demo credential; outside Development give every user a password of its own.");
            }

            foreach (var client in options.Clients.Where(client => s_demoSecrets.Contains(client.ClientSecret, StringComparer.Ordinal)))
            {
                failures.Add($"Identity:Clients: the secret of '{client.ClientId}' is a demo secret; outside Development give every client a secret of its own.");
            }
        }

        if (!Uri.TryCreate(options.Issuer, UriKind.Absolute, out var issuer)
            || (issuer.Scheme != Uri.UriSchemeHttp && issuer.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(issuer.Query) || !string.IsNullOrEmpty(issuer.Fragment))
        {
            failures.Add($"Identity:Issuer must be an absolute http(s) URI without query or fragment, e.g. '{IdentityServerOptions.DefaultIssuer}'; got '{options.Issuer}'.");
        }

        if (options.AccessTokenLifetime <= TimeSpan.Zero)
        {
            failures.Add("Identity:AccessTokenLifetime must be a positive time span such as '01:00:00'.");
        }

        var usernames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            if (string.IsNullOrWhiteSpace(user.Username))
            {
                failures.Add($"Identity:Users:{i}:Username is required.");
            }
            else if (!usernames.Add(user.Username))
            {
                failures.Add($"Identity:Users:{i}:Username '{user.Username}' is used twice; usernames must be unique.");
            }
            else if (user.Username.StartsWith("service-account-", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"Identity:Users:{i}:Username '{user.Username}' is reserved for client service accounts; choose another name.");
            }

            if (string.IsNullOrEmpty(user.Password))
            {
                failures.Add($"Identity:Users:{i}:Password is required for user '{user.Username}'.");
            }

            ValidateRoles(user.Roles, $"Identity:Users:{i}:Roles", failures);
        }

        var clientIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            var client = options.Clients[i];
            var key = $"Identity:Clients:{i}";
            if (string.IsNullOrWhiteSpace(client.ClientId))
            {
                failures.Add($"{key}:ClientId is required.");
            }
            else if (!clientIds.Add(client.ClientId))
            {
                failures.Add($"{key}:ClientId '{client.ClientId}' is used twice; client ids must be unique.");
            }

            if (string.IsNullOrEmpty(client.ClientSecret))
            {
                failures.Add($"{key}:ClientSecret is required: every client of this issuer is confidential.");
            }

            if (client.Grants.Count == 0)
            {
                failures.Add($"{key}:Grants must list at least one of: {string.Join(", ", GrantNames.Supported)}.");
            }

            foreach (var grant in client.Grants.Where(g => !GrantNames.Supported.Contains(g)))
            {
                failures.Add($"{key}:Grants contains '{grant}', which is not supported; use {string.Join(", ", GrantNames.Supported)}.");
            }

            if (client.Grants.Contains(GrantTypes.AuthorizationCode) && client.RedirectUris.Count == 0)
            {
                failures.Add($"{key}:RedirectUris must list at least one absolute URI because the client uses the authorization_code grant.");
            }

            foreach (var uri in client.RedirectUris.Concat(client.PostLogoutRedirectUris))
            {
                if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !string.IsNullOrEmpty(parsed.Fragment))
                {
                    failures.Add($"{key}: redirect URI '{uri}' must be an absolute URI without fragment.");
                }
            }

            ValidateRoles(client.Roles, $"{key}:Roles", failures);
            foreach (var audience in client.Audiences.Where(audience => audience != Realm.Audience && !options.Audiences.Contains(audience)))
            {
                failures.Add($"{key}:Audiences contains '{audience}', which is not one of Identity:Audiences; add it there first.");
            }

            foreach (var resource in client.Resources.Where(resource => !options.Resources.Contains(resource)))
            {
                failures.Add($"{key}:Resources contains '{resource}', which is not one of Identity:Resources; add it there first.");
            }
        }

        foreach (var resource in options.Resources.Where(resource => !Uri.TryCreate(resource, UriKind.Absolute, out var uri) || uri.Fragment.Length > 0))
        {
            failures.Add($"Identity:Resources contains '{resource}', which is not an absolute URI without fragment.");
        }

        if (options.Clients.Count == 0)
        {
            failures.Add("Identity:Clients must configure at least one client (Identity:Clients:0:ClientId, ClientSecret, Grants).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateRoles(List<string> roles, string key, List<string> failures)
    {
        if (roles.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{key} contains an empty role name; remove it.");
        }
    }
}
