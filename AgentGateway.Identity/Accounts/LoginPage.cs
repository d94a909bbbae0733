using System.Text.Encodings.Web;

namespace AgentGateway.Identity.Accounts;

/// <summary>Renders the plain, accessible sign-in form of the authorization endpoint.</summary>
internal static class LoginPage
{
    public static string Render(string returnUrl, string antiforgeryField, string antiforgeryToken, string? username, string? error)
    {
        var html = HtmlEncoder.Default;
        var errorBlock = error is null
            ? ""
            : $"""<p id="error" class="error" role="alert">{html.Encode(error)}</p>""";

        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Sign in to AgentGateway</title>
              <style>
                body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1f2328; margin: 0; }
                main { max-width: 22rem; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px;
                       box-shadow: 0 1px 3px rgba(0,0,0,.2); }
                h1 { font-size: 1.4rem; margin-top: 0; }
                label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
                input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; border: 1px solid #8c959f; border-radius: 4px; }
                button { margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem; color: #fff; background: #0969da;
                         border: 0; border-radius: 4px; cursor: pointer; }
                button:focus, input:focus { outline: 3px solid #54aeff; }
                .error { color: #a40e26; background: #ffebe9; padding: .5rem; border-radius: 4px; }
              </style>
            </head>
            <body>
              <main>
                <h1>Sign in to AgentGateway</h1>
                {{errorBlock}}
                <form method="post" action="{{html.Encode(Realm.LoginPath)}}">
                  <input type="hidden" name="{{html.Encode(antiforgeryField)}}" value="{{html.Encode(antiforgeryToken)}}">
                  <input type="hidden" name="returnUrl" value="{{html.Encode(returnUrl)}}">
                  <label for="username">Username</label>
                  <input id="username" name="username" type="text" autocomplete="username" required autofocus value="{{html.Encode(username ?? "")}}">
                  <label for="password">Password</label>
                  <input id="password" name="password" type="password" autocomplete="current-password" required>
                  <button type="submit">Sign in</button>
                </form>
              </main>
            </body>
            </html>
            """;
    }
}
