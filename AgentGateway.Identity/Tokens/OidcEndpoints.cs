using AgentGateway.Identity.Accounts;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentGateway.Identity.Tokens;

/// <summary>
/// The pass-through handlers of OpenIddict's authorization, token, userinfo and logout endpoints: they decide who
/// the caller is and which claims the tokens carry; OpenIddict does the protocol.
/// </summary>
internal static partial class OidcEndpoints
{
    private const string OpenIddictScheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static IEndpointRouteBuilder MapOidcEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Realm.AuthorizationPath, [HttpMethods.Get, HttpMethods.Post], Authorize).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapPost(Realm.TokenPath, Exchange).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapMethods(Realm.UserInfoPath, [HttpMethods.Get, HttpMethods.Post], (Delegate)UserInfo).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapMethods(Realm.LogoutPath, [HttpMethods.Get, HttpMethods.Post], (Delegate)Logout).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapGet(Realm.BasePath + "/account", (Delegate)AccountStatus).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> Authorize(HttpContext context, UserDirectory users)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var session = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        var user = session.Succeeded ? users.Find(session.Principal?.Identity?.Name) : null;
        if (user is null || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            }

            // Come back to this very request after the sign-in form; POSTed parameters are carried in the query.
            var parameters = context.Request.HasFormContentType
                ? (await context.Request.ReadFormAsync(context.RequestAborted)).Where(p => p.Key != Parameters.Prompt)
                : context.Request.Query.Where(p => p.Key != Parameters.Prompt);
            var returnUrl = context.Request.PathBase + context.Request.Path
                + QueryString.Create(parameters.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())));
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = returnUrl },
                [CookieAuthenticationDefaults.AuthenticationScheme]);
        }

        return Results.SignIn(
            TokenPrincipalFactory.ForUser(
                user, request.ClientId, WithOfflineAccess(request.GetScopes(), users.FindClient(request.ClientId)), Audiences(request, users.FindClient(request.ClientId))),
            authenticationScheme: OpenIddictScheme);
    }

    private static async Task<IResult> Exchange(HttpContext context, UserDirectory users, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(typeof(OidcEndpoints).FullName!);
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        var client = users.FindClient(request.ClientId);

        if (request.IsPasswordGrantType())
        {
            var user = users.Authenticate(request.Username, request.Password);
            if (user is null)
            {
                LogPasswordGrantFailed(logger, request.Username ?? "", request.ClientId ?? "");
                return Forbid(Errors.InvalidGrant, "Invalid user credentials");
            }

            return Results.SignIn(
                TokenPrincipalFactory.ForUser(user, request.ClientId, WithOfflineAccess(request.GetScopes(), client), Audiences(request, client)),
                authenticationScheme: OpenIddictScheme);
        }

        if (request.IsTokenExchangeGrantType())
        {
            // OpenIddict has validated the subject token (issued here); the new token is the same user's, for the
            // audience asked, with the exchanging client named as the actor.
            var subject = (await context.AuthenticateAsync(OpenIddictScheme)).Principal;
            var user = users.Find(subject?.GetClaim(TokenPrincipalFactory.PreferredUsername));
            if (client is null || subject is null || user is null)
            {
                LogTokenExchangeRefused(logger, request.ClientId ?? "");
                return Forbid(Errors.InvalidGrant, "The subject token does not name a user of this realm.");
            }

            return Results.SignIn(
                TokenPrincipalFactory.ForDelegation(user, client.ClientId, request.GetScopes(), Audiences(request, client)),
                authenticationScheme: OpenIddictScheme);
        }

        if (request.IsClientCredentialsGrantType())
        {
            if (client is null)
            {
                return Forbid(Errors.InvalidClient, "Unknown client.");
            }

            return Results.SignIn(TokenPrincipalFactory.ForServiceAccount(client, request.GetScopes(), Audiences(request, client)), authenticationScheme: OpenIddictScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // Claims are rebuilt from the current configuration, so a removed user cannot refresh.
            var previous = (await context.AuthenticateAsync(OpenIddictScheme)).Principal;
            var user = users.Find(previous?.GetClaim(TokenPrincipalFactory.PreferredUsername));
            if (previous is null || user is null)
            {
                return Forbid(Errors.InvalidGrant, "The user no longer exists.");
            }

            return Results.SignIn(
                TokenPrincipalFactory.ForUser(user, request.ClientId, previous.GetScopes(),
                    previous.GetAudiences() is { Length: > 0 } audiences ? [.. audiences] : Audiences(request, client)),
                authenticationScheme: OpenIddictScheme);
        }

        return Forbid(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    private static async Task<IResult> UserInfo(HttpContext context)
    {
        var principal = (await context.AuthenticateAsync(OpenIddictScheme)).Principal;
        if (principal is null)
        {
            return Results.Challenge(authenticationSchemes: [OpenIddictScheme]);
        }

        var info = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [Claims.Subject] = principal.GetClaim(Claims.Subject),
            [TokenPrincipalFactory.PreferredUsername] = principal.GetClaim(TokenPrincipalFactory.PreferredUsername),
            [Claims.Name] = principal.GetClaim(Claims.Name),
        };
        var email = principal.GetClaim(Claims.Email);
        if (email is not null)
        {
            info[Claims.Email] = email;
        }

        var realmAccess = principal.FindFirst(TokenPrincipalFactory.RealmAccess);
        if (realmAccess is not null)
        {
            info[TokenPrincipalFactory.RealmAccess] = System.Text.Json.JsonDocument.Parse(realmAccess.Value).RootElement;
        }

        return Results.Json(info);
    }

    private static async Task<IResult> Logout(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);

        // OpenIddict redirects to the validated post_logout_redirect_uri, else to the account page.
        return Results.SignOut(
            new AuthenticationProperties { RedirectUri = Realm.BasePath + "/account" },
            [OpenIddictScheme]);
    }

    private static async Task<IResult> AccountStatus(HttpContext context)
    {
        var session = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        var text = session.Succeeded
            ? $"Signed in as {session.Principal?.Identity?.Name}."
            : "Not signed in.";
        return Results.Content(
            $"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>AgentGateway account</title></head><body><main><h1>AgentGateway account</h1><p>{System.Net.WebUtility.HtmlEncode(text)}</p></main></body></html>""",
            "text/html; charset=utf-8");
    }

    /// <summary>
    /// The audiences of a token: those the request names (<c>audience</c>, and RFC 8707 <c>resource</c>), else the realm's,
    /// plus the client's own token audiences.
    /// </summary>
    private static string[] Audiences(OpenIddictRequest request, Configuration.IdentityClientOptions? client)
    {
        string[] requested = [.. (request.Audiences ?? []).Concat(request.Resources ?? []).OfType<string>().Where(value => !string.IsNullOrWhiteSpace(value))];
        return [.. (requested.Length > 0 ? requested : [Realm.Audience]).Concat(client?.TokenAudiences ?? []).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Like Keycloak, issue a refresh token whenever the client may use the refresh_token grant.</summary>
    private static IEnumerable<string> WithOfflineAccess(IEnumerable<string> scopes, Configuration.IdentityClientOptions? client) =>
        client is not null && client.Grants.Contains(GrantTypes.RefreshToken)
            ? scopes.Append(Scopes.OfflineAccess).Distinct(StringComparer.Ordinal)
            : scopes;

    private static IResult Forbid(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictScheme]);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token exchange refused for client {ClientId}")]
    private static partial void LogTokenExchangeRefused(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password grant failed for user {Username} (client {ClientId})")]
    private static partial void LogPasswordGrantFailed(ILogger logger, string username, string clientId);
}
