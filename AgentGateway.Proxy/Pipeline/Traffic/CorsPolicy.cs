using AgentGateway.Contracts.V1;
using Microsoft.Net.Http.Headers;

namespace AgentGateway.Proxy.Pipeline.Traffic;

/// <summary>
/// A route's <see cref="Cors"/> policy: preflights are answered at the gateway (403 without CORS headers for an
/// origin or method it does not allow); other requests from an allowed origin get the allow-origin, credentials and
/// expose headers on their answer, whatever answers them.
/// </summary>
internal sealed class CorsPolicy
{
    private static readonly string[] s_defaultMethods = ["GET", "HEAD", "POST"];

    private readonly string[] _exactOrigins;
    private readonly (string Scheme, string Suffix)[] _wildcardOrigins;
    private readonly bool _anyOrigin;
    private readonly string[] _methods;
    private readonly string _allowMethods;
    private readonly bool _anyHeader;
    private readonly string _allowHeaders;
    private readonly string _exposeHeaders;
    private readonly bool _credentials;
    private readonly string? _maxAge;

    public CorsPolicy(Cors cors)
    {
        ArgumentNullException.ThrowIfNull(cors);
        _anyOrigin = cors.AllowOrigins.Contains("*");
        _exactOrigins = [.. cors.AllowOrigins.Where(origin => origin != "*" && !origin.Contains("://*.", StringComparison.Ordinal))];
        _wildcardOrigins = [.. cors.AllowOrigins.Where(origin => origin.Contains("://*.", StringComparison.Ordinal)).Select(origin =>
        {
            var at = origin.IndexOf("://*.", StringComparison.Ordinal);
            return (origin[..(at + 3)], origin[(at + 4)..]);
        })];
        _methods = cors.AllowMethods.Count > 0 ? [.. cors.AllowMethods] : s_defaultMethods;
        _allowMethods = string.Join(", ", _methods);
        _anyHeader = cors.AllowHeaders.Contains("*");
        _allowHeaders = string.Join(", ", cors.AllowHeaders);
        _exposeHeaders = string.Join(", ", cors.ExposeHeaders);
        _credentials = cors.AllowCredentials;
        _maxAge = cors.MaxAgeSeconds > 0 ? cors.MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Whether a browser page of <paramref name="origin"/> may call the route.</summary>
    public bool AllowsOrigin(string origin)
    {
        if (origin.Length == 0 || origin == "null")
        {
            return false;
        }

        if (_anyOrigin)
        {
            return true;
        }

        foreach (var exact in _exactOrigins)
        {
            if (string.Equals(origin, exact, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var (scheme, suffix) in _wildcardOrigins)
        {
            // "https://*.example.com" takes "https://a.example.com", never "https://example.com" or another scheme.
            if (origin.Length > scheme.Length + suffix.Length && origin.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
                && origin.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && origin.IndexOf('/', scheme.Length) < 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="request"/> is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method).</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.Origin)
        && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    /// <summary>Answers a preflight: 204 with the policy's headers, or 403 without any when the origin or method is not allowed.</summary>
    public async Task AnswerPreflightAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var response = context.Response;
        var origin = request.Headers.Origin.ToString();
        var method = request.Headers.AccessControlRequestMethod.ToString();
        response.Headers.Vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
        if (!AllowsOrigin(origin))
        {
            await RefuseAsync(context, $"CORS: origin '{origin}' is not allowed on this route.");
            return;
        }

        if (Array.IndexOf(_methods, method) < 0)
        {
            await RefuseAsync(context, $"CORS: method '{method}' is not allowed on this route.");
            return;
        }

        response.StatusCode = StatusCodes.Status204NoContent;
        SetOriginHeaders(response, origin);
        response.Headers.AccessControlAllowMethods = _allowMethods;
        var requested = request.Headers.AccessControlRequestHeaders.ToString();
        var allowHeaders = _anyHeader ? requested : _allowHeaders;
        if (allowHeaders.Length > 0)
        {
            response.Headers.AccessControlAllowHeaders = allowHeaders;
        }

        if (_maxAge is not null)
        {
            response.Headers.AccessControlMaxAge = _maxAge;
        }
    }

    /// <summary>Adds the headers of an actual (non-preflight) request's answer when its origin is allowed.</summary>
    public void ApplyToResponse(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var origin = context.Request.Headers.Origin.ToString();
        var headers = context.Response.Headers;
        headers.Append(HeaderNames.Vary, "Origin");
        if (!AllowsOrigin(origin))
        {
            return;
        }

        SetOriginHeaders(context.Response, origin);
        if (_exposeHeaders.Length > 0)
        {
            headers.AccessControlExposeHeaders = _exposeHeaders;
        }
    }

    private void SetOriginHeaders(HttpResponse response, string origin)
    {
        // With credentials a browser accepts only the origin itself, never "*".
        response.Headers.AccessControlAllowOrigin = _anyOrigin && !_credentials ? "*" : origin;
        if (_credentials)
        {
            response.Headers.AccessControlAllowCredentials = "true";
        }
    }

    private static Task RefuseAsync(HttpContext context, string message) => WholeBody.WriteTextAsync(context, StatusCodes.Status403Forbidden, message);
}
