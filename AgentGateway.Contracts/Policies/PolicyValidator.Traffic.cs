using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>Traffic policies: headers, redirect, rewrite, direct response, CORS, timeouts, retries and mirrors.</summary>
public static partial class PolicyValidator
{
    /// <summary>The failures a retry policy may name besides response statuses.</summary>
    public const string RetryOnConnectFailure = "connect-failure";
    public const string RetryOnReset = "reset";
    public const string RetryOnTimeout = "timeout";

    /// <summary>How many mirrors one route may copy its requests to.</summary>
    public const int MaxMirrors = 4;

    /// <summary>The longest time a traffic timeout may take (an hour).</summary>
    public const uint MaxTimeoutMs = 3_600_000;

    private static readonly uint[] s_redirectStatuses = [301, 302, 303, 307, 308];

    /// <summary>Headers the gateway owns on the way through: changing them would break the framing of the message.</summary>
    private static readonly HashSet<string> s_protectedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Content-Length", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    private static void ValidateTraffic(RoutePolicies policies, string path, List<ConfigError> errors)
    {
        if (policies.RequestHeaders is { } requestHeaders)
        {
            Validate(requestHeaders, Join(path, "requestHeaders"), errors);
        }

        if (policies.ResponseHeaders is { } responseHeaders)
        {
            Validate(responseHeaders, Join(path, "responseHeaders"), errors);
        }

        if (policies.Redirect is { } redirect)
        {
            Validate(redirect, Join(path, "redirect"), errors);
            if (policies.DirectResponse is not null)
            {
                errors.Add(new ConfigError(Join(path, "redirect"), "and directResponse cannot both be set: a request is answered by one of them"));
            }
        }

        if (policies.UrlRewrite is { } rewrite)
        {
            Validate(rewrite, Join(path, "urlRewrite"), errors);
        }

        if (policies.DirectResponse is { } direct)
        {
            Validate(direct, Join(path, "directResponse"), errors);
        }

        if (policies.Cors is { } cors)
        {
            Validate(cors, Join(path, "cors"), errors);
        }

        if (policies.Timeouts is { } timeouts)
        {
            Validate(timeouts, Join(path, "timeouts"), errors);
        }

        if (policies.Retry is { } retry)
        {
            Validate(retry, Join(path, "retry"), errors);
        }

        if (policies.Mirrors.Count > MaxMirrors)
        {
            errors.Add(new ConfigError(Join(path, "mirrors"), $"must name at most {MaxMirrors} mirrors"));
        }

        for (var index = 0; index < policies.Mirrors.Count; index++)
        {
            Validate(policies.Mirrors[index], $"{Join(path, "mirrors")}[{index}]", errors);
        }
    }

    public static void Validate(HeaderModifier headers, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(errors);
        HeaderValues(headers.Add, Join(path, "add"), errors);
        HeaderValues(headers.Set, Join(path, "set"), errors);
        for (var index = 0; index < headers.Remove.Count; index++)
        {
            ChangeableHeader(headers.Remove[index], $"{Join(path, "remove")}[{index}]", errors);
        }
    }

    public static void Validate(RequestRedirect redirect, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(redirect);
        ArgumentNullException.ThrowIfNull(errors);
        if (redirect.Scheme is not ("" or "http" or "https"))
        {
            errors.Add(new ConfigError(Join(path, "scheme"), "must be 'http' or 'https' (or empty to keep the request's)"));
        }

        if (redirect.Hostname.Length > 0 && !IsHostName(redirect.Hostname))
        {
            errors.Add(new ConfigError(Join(path, "hostname"), "must be a host name without port, e.g. www.example.com"));
        }

        if (redirect.Port > 65535)
        {
            errors.Add(new ConfigError(Join(path, "port"), "must be a port from 1 to 65535 (or 0 to keep the request's)"));
        }

        if (redirect.ReplaceFullPath.Length > 0 && redirect.ReplacePrefixMatch.Length > 0)
        {
            errors.Add(new ConfigError(Join(path, "replaceFullPath"), "and replacePrefixMatch cannot both be set"));
        }

        RewritePath(redirect.ReplaceFullPath, Join(path, "replaceFullPath"), errors);
        RewritePath(redirect.ReplacePrefixMatch, Join(path, "replacePrefixMatch"), errors);
        if (redirect.StatusCode != 0 && Array.IndexOf(s_redirectStatuses, redirect.StatusCode) < 0)
        {
            errors.Add(new ConfigError(Join(path, "statusCode"), "must be 301, 302, 303, 307 or 308"));
        }
    }

    public static void Validate(UrlRewrite rewrite, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        ArgumentNullException.ThrowIfNull(errors);
        if (rewrite.Hostname.Length > 0 && !IsHostName(rewrite.Hostname))
        {
            errors.Add(new ConfigError(Join(path, "hostname"), "must be a host name without port, e.g. api.internal"));
        }

        switch (rewrite.PathCase)
        {
            case UrlRewrite.PathOneofCase.ReplaceFullPath:
                RewritePath(rewrite.ReplaceFullPath, Join(path, "replaceFullPath"), errors, required: true);
                break;
            case UrlRewrite.PathOneofCase.ReplacePrefixMatch:
                RewritePath(rewrite.ReplacePrefixMatch, Join(path, "replacePrefixMatch"), errors, required: true);
                break;
            case UrlRewrite.PathOneofCase.Regex:
                var field = Join(path, "regex.pattern");
                if (rewrite.Regex.Pattern.Length == 0)
                {
                    errors.Add(new ConfigError(field, "is required"));
                }
                else if (rewrite.Regex.Pattern.Length > 1024)
                {
                    errors.Add(new ConfigError(field, "must be at most 1024 characters"));
                }
                else
                {
                    try
                    {
                        _ = new Regex(rewrite.Regex.Pattern, RegexOptions.CultureInvariant, RouteValidator.RegexTimeout);
                    }
                    catch (ArgumentException exception)
                    {
                        errors.Add(new ConfigError(field, $"is not a valid regular expression: {exception.Message}"));
                    }
                }

                if (rewrite.Regex.Substitution.Contains('?', StringComparison.Ordinal) || rewrite.Regex.Substitution.Contains('#', StringComparison.Ordinal))
                {
                    errors.Add(new ConfigError(Join(path, "regex.substitution"), "must not contain a query or fragment"));
                }

                break;
            default:
                if (rewrite.Hostname.Length == 0)
                {
                    errors.Add(new ConfigError(path, "needs a hostname, a path (replaceFullPath, replacePrefixMatch or regex), or both"));
                }

                break;
        }
    }

    public static void Validate(DirectResponse direct, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(direct);
        ArgumentNullException.ThrowIfNull(errors);
        if (direct.Status is < 200 or > 599)
        {
            errors.Add(new ConfigError(Join(path, "status"), "must be an HTTP status from 200 to 599"));
        }

        if (direct.Body.Length > 65_536)
        {
            errors.Add(new ConfigError(Join(path, "body"), "must be at most 65536 characters"));
        }

        if (direct.ContentType.Length > 0 && !MediaTypeHeaderValue.TryParse(direct.ContentType, out _))
        {
            errors.Add(new ConfigError(Join(path, "contentType"), "must be a media type, e.g. application/json"));
        }
    }

    public static void Validate(Cors cors, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(cors);
        ArgumentNullException.ThrowIfNull(errors);
        if (cors.AllowOrigins.Count == 0)
        {
            errors.Add(new ConfigError(Join(path, "allowOrigins"), "must name at least one origin, e.g. https://app.example.com, https://*.example.com or *"));
        }

        for (var index = 0; index < cors.AllowOrigins.Count; index++)
        {
            if (!IsOriginPattern(cors.AllowOrigins[index]))
            {
                errors.Add(new ConfigError($"{Join(path, "allowOrigins")}[{index}]",
                    "must be '*' or an origin scheme://host[:port] without path, optionally with a wildcard first label (https://*.example.com)"));
            }
        }

        for (var index = 0; index < cors.AllowMethods.Count; index++)
        {
            if (!HeaderName().IsMatch(cors.AllowMethods[index]) || cors.AllowMethods[index] != cors.AllowMethods[index].ToUpperInvariant())
            {
                errors.Add(new ConfigError($"{Join(path, "allowMethods")}[{index}]", "must be an upper-case HTTP method, e.g. PUT"));
            }
        }

        HeaderNames(cors.AllowHeaders.Where(name => name != "*"), Join(path, "allowHeaders"), errors);
        HeaderNames(cors.ExposeHeaders.Where(name => name != "*"), Join(path, "exposeHeaders"), errors);
        if (cors.MaxAgeSeconds > 86_400)
        {
            errors.Add(new ConfigError(Join(path, "maxAgeSeconds"), "must be at most 86400 (a day)"));
        }
    }

    public static void Validate(Timeouts timeouts, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        ArgumentNullException.ThrowIfNull(errors);
        if (timeouts.RequestMs > MaxTimeoutMs)
        {
            errors.Add(new ConfigError(Join(path, "requestMs"), $"must be at most {MaxTimeoutMs} (an hour), or 0 for no limit"));
        }

        if (timeouts.BackendRequestMs > MaxTimeoutMs)
        {
            errors.Add(new ConfigError(Join(path, "backendRequestMs"), $"must be at most {MaxTimeoutMs} (an hour), or 0 for no limit"));
        }
        else if (timeouts.RequestMs > 0 && timeouts.BackendRequestMs > timeouts.RequestMs)
        {
            errors.Add(new ConfigError(Join(path, "backendRequestMs"), "must not exceed requestMs (the whole request, retries included)"));
        }
    }

    public static void Validate(RetryPolicy retry, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(errors);
        if (retry.Attempts > 10)
        {
            errors.Add(new ConfigError(Join(path, "attempts"), "must be at most 10"));
        }

        if (retry.BackoffBaseMs > 60_000)
        {
            errors.Add(new ConfigError(Join(path, "backoffBaseMs"), "must be at most 60000 (a minute)"));
        }

        if (retry.BackoffMaxMs > 60_000)
        {
            errors.Add(new ConfigError(Join(path, "backoffMaxMs"), "must be at most 60000 (a minute)"));
        }
        else if (retry.BackoffMaxMs > 0 && retry.BackoffBaseMs > retry.BackoffMaxMs)
        {
            errors.Add(new ConfigError(Join(path, "backoffMaxMs"), "must not be less than backoffBaseMs"));
        }

        for (var index = 0; index < retry.StatusCodes.Count; index++)
        {
            if (retry.StatusCodes[index] is < 400 or > 599)
            {
                errors.Add(new ConfigError($"{Join(path, "statusCodes")}[{index}]", "must be an error status from 400 to 599"));
            }
        }

        for (var index = 0; index < retry.RetryOn.Count; index++)
        {
            if (retry.RetryOn[index] is not (RetryOnConnectFailure or RetryOnReset or RetryOnTimeout))
            {
                errors.Add(new ConfigError($"{Join(path, "retryOn")}[{index}]", $"must be '{RetryOnConnectFailure}', '{RetryOnReset}' or '{RetryOnTimeout}'"));
            }
        }
    }

    public static void Validate(RequestMirror mirror, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        ArgumentNullException.ThrowIfNull(errors);
        if (!IsHttpUrl(mirror.Url, out var uri) || uri!.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(new ConfigError(Join(path, "url"), "must be an absolute http(s) URL without query or fragment"));
        }

        if (double.IsNaN(mirror.Percentage) || mirror.Percentage is < 0 or > 100)
        {
            errors.Add(new ConfigError(Join(path, "percentage"), "must be from 0 to 100 (0 copies every request)"));
        }
    }

    /// <summary>Whether <paramref name="value"/> is "*" or an origin, optionally with a wildcard first label.</summary>
    public static bool IsOriginPattern(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value == "*")
        {
            return true;
        }

        var concrete = value.Replace("://*.", "://wildcard.", StringComparison.Ordinal);
        return Uri.TryCreate(concrete, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.GetLeftPart(UriPartial.Authority).Equals(concrete.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            && !concrete.EndsWith('/');
    }

    private static void HeaderValues(IReadOnlyList<HeaderValue> values, string path, List<ConfigError> errors)
    {
        for (var index = 0; index < values.Count; index++)
        {
            var field = $"{path}[{index}]";
            ChangeableHeader(values[index].Name, Join(field, "name"), errors);
            if (values[index].Value.Any(character => character is '\r' or '\n' or '\0'))
            {
                errors.Add(new ConfigError(Join(field, "value"), "must not contain line breaks or NUL"));
            }
        }
    }

    private static void ChangeableHeader(string name, string path, List<ConfigError> errors)
    {
        if (!HeaderName().IsMatch(name))
        {
            errors.Add(new ConfigError(path, "must be a valid HTTP header name"));
        }
        else if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new ConfigError(path, "'Host' is not a header change: set it with urlRewrite.hostname (or the backend's preserveHost)"));
        }
        else if (s_protectedHeaders.Contains(name) || name.StartsWith(':'))
        {
            errors.Add(new ConfigError(path, $"'{name}' frames the message and cannot be changed by a policy"));
        }
    }

    private static void RewritePath(string value, string path, List<ConfigError> errors, bool required = false)
    {
        if (value.Length == 0)
        {
            if (required)
            {
                errors.Add(new ConfigError(path, "is required and must start with '/'"));
            }

            return;
        }

        if (value[0] != '/' || value.Contains('?', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal))
        {
            errors.Add(new ConfigError(path, "must start with '/' and have no query or fragment"));
        }
    }

    private static bool IsHostName(string value) => !value.StartsWith("*.", StringComparison.Ordinal) && RouteValidator.IsHostPattern(value);
}
