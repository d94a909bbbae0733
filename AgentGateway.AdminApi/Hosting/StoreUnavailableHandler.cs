using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace AgentGateway.AdminApi.Hosting;

/// <summary>
/// A request that needs PostgreSQL while it cannot be reached is answered 503 with <c>Retry-After</c> and a problem
/// that says so, not a bare 500: nothing was written (each write is one transaction), and the same request may be sent
/// again. Proxies meanwhile go on serving the config they hold.
/// </summary>
internal sealed partial class StoreUnavailableHandler(IProblemDetailsService problems, ILogger<StoreUnavailableHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client should wait before it tries again.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsStoreUnreachable(exception))
        {
            return false;
        }

        LogStoreUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The configuration store is unavailable",
                Detail = $"PostgreSQL cannot be reached; nothing was changed. Try again in {RetryAfterSeconds} seconds.",
            },
        });
    }

    /// <summary>The connection failed or broke, as opposed to a query the database refused (which stays a bug, a 500).</summary>
    private static bool IsStoreUnreachable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException { SqlState: null } or SocketException or TimeoutException)
            {
                return true;
            }

            if (current is PostgresException { SqlState: var state } && (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)))
            {
                // Connection exceptions (08xxx), and the server shutting down or not yet accepting (57P01..57P03).
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: PostgreSQL cannot be reached ({Reason})")]
    private static partial void LogStoreUnavailable(ILogger logger, string method, PathString path, string reason);
}
