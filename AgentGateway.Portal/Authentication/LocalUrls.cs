namespace AgentGateway.Portal.Authentication;

/// <summary>
/// Where the Portal may send a browser after sign-in: only its own paths. The rule of ASP.NET Core's
/// <c>IUrlHelper.IsLocalUrl</c>, and control characters refused anywhere (browsers drop tabs and line breaks from
/// URLs, so <c>/&#9;/evil.example</c> would become <c>//evil.example</c>).
/// </summary>
internal static class LocalUrls
{
    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 2048 || url.Any(char.IsControl))
        {
            return false;
        }

        // "/" and "/path", never "//host" or "/\host" (a protocol-relative URL to another host).
        if (url[0] == '/')
        {
            return url.Length == 1 || (url[1] != '/' && url[1] != '\\');
        }

        // "~/path", never "~//host" or "~/\host".
        return url.Length > 1 && url[0] == '~' && url[1] == '/' && (url.Length == 2 || (url[2] != '/' && url[2] != '\\'));
    }
}
