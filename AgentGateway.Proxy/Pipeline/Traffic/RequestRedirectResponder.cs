using System.Text;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Routing;

namespace AgentGateway.Proxy.Pipeline.Traffic;

/// <summary>Answers a route's requests with a redirect built from the request: scheme, host, port and path replaced as configured.</summary>
internal sealed class RequestRedirectResponder(RequestRedirect redirect)
{
    private readonly int _status = redirect.StatusCode == 0 ? StatusCodes.Status302Found : (int)redirect.StatusCode;

    /// <summary>The Location a request is sent to.</summary>
    public string LocationFor(HttpRequest request, RouteMatchResult match)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(match);
        var scheme = redirect.Scheme.Length > 0 ? redirect.Scheme : request.Scheme;
        var schemeChanged = !string.Equals(scheme, request.Scheme, StringComparison.OrdinalIgnoreCase);
        var host = redirect.Hostname.Length > 0 ? redirect.Hostname : request.Host.Host;
        int? port = redirect.Port != 0 ? (int)redirect.Port : schemeChanged ? null : request.Host.Port;
        if (port == (scheme == "https" ? 443 : 80))
        {
            port = null;
        }

        var path = request.Path.Value is { Length: > 0 } value ? value : "/";
        if (redirect.ReplaceFullPath.Length > 0)
        {
            path = redirect.ReplaceFullPath;
        }
        else if (redirect.ReplacePrefixMatch.Length > 0)
        {
            path = PathRewriter.ReplacePrefix(path, match.MatchedPrefix ?? path, redirect.ReplacePrefixMatch);
        }

        var location = new StringBuilder(scheme.Length + host.Length + path.Length + 16).Append(scheme).Append("://").Append(host);
        if (port is { } explicitPort)
        {
            location.Append(':').Append(explicitPort);
        }

        return location.Append(new PathString(path).ToUriComponent()).Append(request.QueryString.ToUriComponent()).ToString();
    }

    public Task WriteAsync(HttpContext context, RouteMatchResult match)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = _status;
        context.Response.Headers.Location = LocationFor(context.Request, match);
        return Task.CompletedTask;
    }
}
