using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AgentGateway.Identity.Accounts;

/// <summary>The sign-in form: shows it, checks the credentials and starts the cookie session.</summary>
internal static partial class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Realm.LoginPath, ShowLogin).ExcludeFromDescription();
        endpoints.MapPost(Realm.LoginPath, SubmitLogin).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static IResult ShowLogin(HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
        RenderPage(context, antiforgery, SafeReturnUrl(returnUrl), username: null, error: null, StatusCodes.Status200OK);

    private static async Task<IResult> SubmitLogin(
        HttpContext context, IAntiforgery antiforgery, UserDirectory users, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(typeof(AccountEndpoints).FullName!);
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var username = form["username"].ToString();
        var returnUrl = SafeReturnUrl(form["returnUrl"].ToString());
        var user = users.Authenticate(username, form["password"].ToString());
        if (user is null)
        {
            LogSignInFailed(logger, username);
            return RenderPage(context, antiforgery, returnUrl, username, "Invalid username or password.", StatusCodes.Status401Unauthorized);
        }

        var identity = new ClaimsIdentity(CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Username));
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        LogSignedIn(logger, user.Username);
        return Results.Redirect(returnUrl);
    }

    private static IResult RenderPage(
        HttpContext context, IAntiforgery antiforgery, string returnUrl, string? username, string? error, int statusCode)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = LoginPage.Render(returnUrl, tokens.FormFieldName, tokens.RequestToken ?? "", username, error);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", statusCode: statusCode);
    }

    /// <summary>Only local return URLs are followed, so the form cannot be used as an open redirect.</summary>
    private static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl)
        && returnUrl[0] == '/'
        && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
            ? returnUrl
            : Realm.BasePath + "/account";

    [LoggerMessage(Level = LogLevel.Information, Message = "User {Username} signed in")]
    private static partial void LogSignedIn(ILogger logger, string username);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed sign-in for user {Username}")]
    private static partial void LogSignInFailed(ILogger logger, string username);
}
