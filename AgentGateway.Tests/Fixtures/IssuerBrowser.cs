using System.Net;
using System.Text.RegularExpressions;

namespace AgentGateway.Tests.Fixtures;

/// <summary>What a browser does at the platform's issuer: its sign-in form filled in, and the way back to the client.</summary>
public static partial class IssuerBrowser
{
    /// <summary>
    /// Follows <paramref name="authorize"/> to the sign-in form, signs in as <paramref name="username"/> (whose password
    /// is the same), and answers where the issuer sends the browser back: the client's redirect, with the code.
    /// <paramref name="browser"/> keeps cookies and does not follow redirects.
    /// </summary>
    public static async Task<Uri> SignInAsync(HttpClient browser, Uri authorize, string username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(authorize);
        using var toLogin = await browser.GetAsync(authorize, cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        var loginUrl = new Uri(authorize, toLogin.Headers.Location!);
        var page = await browser.GetStringAsync(loginUrl, cancellationToken);
        using var signedIn = await browser.PostAsync(loginUrl, LoginForm(page, username, username), cancellationToken);
        using var toClient = await browser.GetAsync(new Uri(loginUrl, signedIn.Headers.Location!), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, toClient.StatusCode);
        return new Uri(loginUrl, toClient.Headers.Location!);
    }

    /// <summary>The sign-in form of <paramref name="page"/>, filled in.</summary>
    public static FormUrlEncodedContent LoginForm(string page, string username, string password) =>
        new(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(HiddenField(page, "__RequestVerificationToken")),
            ["returnUrl"] = WebUtility.HtmlDecode(HiddenField(page, "returnUrl")),
            ["username"] = username,
            ["password"] = password,
        });

    private static string HiddenField(string page, string name)
    {
        var match = HiddenInput().Matches(page).FirstOrDefault(m => m.Groups["name"].Value == name)
            ?? throw new InvalidOperationException($"The sign-in form has no hidden field '{name}'.");
        return match.Groups["value"].Value;
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenInput();
}
