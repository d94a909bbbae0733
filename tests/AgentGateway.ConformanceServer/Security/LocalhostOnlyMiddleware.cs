using Microsoft.Extensions.Options;

namespace AgentGateway.ConformanceServer.Security;

/// <summary>
/// Protects a server bound to loopback against DNS rebinding: a request whose <c>Host</c> or <c>Origin</c> names
/// any other host is refused with HTTP 403 and a JSON-RPC error.
/// </summary>
internal sealed partial class LocalhostOnlyMiddleware(RequestDelegate next, IOptions<LocalhostOnlyOptions> options, ILogger<LocalhostOnlyMiddleware> logger)
{
    private readonly HashSet<string> _allowedHosts = new(options.Value.AllowedHosts, StringComparer.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host.Host;
        var origin = context.Request.Headers.Origin.ToString();
        if (IsAllowedHost(host) && (origin.Length == 0 || IsAllowedOrigin(origin)))
        {
            return next(context);
        }

        LogRejected(logger, host, origin);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(
            """{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Forbidden: the Host or Origin header names a host this server does not serve."}}""",
            context.RequestAborted);
    }

    private bool IsAllowedHost(string host) => host.Length > 0 && _allowedHosts.Contains(host);

    private bool IsAllowedOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && (_allowedHosts.Contains(uri.Host) || _allowedHosts.Contains(uri.IdnHost));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request for host '{Host}' with origin '{Origin}' (possible DNS rebinding).")]
    private static partial void LogRejected(ILogger logger, string host, string origin);
}
