using AgentGateway.AdminApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace AgentGateway.AdminApi.Endpoints.Filters;

/// <summary>
/// What every endpoint under <c>/api/v1/tenants/{tenant}</c> does when its save finds that another request (or a
/// proxy's usage report) changed a row between its read and its write. With <c>If-Match</c>, the client asked for the
/// version it read: the answer is the same 412 as a stale ETag (<see cref="ETags.CheckIfMatch"/>), and nothing is
/// written. Without it, the client asked for its change on whatever is there now, as HTTP has it: the request starts
/// over on the rows as they now are, tenant resolved, rows read, checked and written again, up to
/// <see cref="MaxAttempts"/> times. The filter sits outside the <see cref="TenantFilter"/> for that.
/// </summary>
internal sealed class ChangedMeanwhileFilter : IEndpointFilter
{
    /// <summary>
    /// Tries of a request without <c>If-Match</c>. A try fails only when another change committed after it read the
    /// row, and config changes are serialized: this many writers racing on one row all land.
    /// </summary>
    public const int MaxAttempts = 5;

    public static ChangedMeanwhileFilter Instance { get; } = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        // A handler that reads the body itself (a tenant's whole config) reads it again when the request starts over.
        http.Request.EnableBuffering();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await next(context);
            }
            catch (DbUpdateConcurrencyException) when (http.Request.Headers.ContainsKey(HeaderNames.IfMatch))
            {
                return Problems.PreconditionFailed();
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
            {
                // What the failed try read or changed is forgotten; its transaction, if any, rolled back on the way out.
                http.RequestServices.GetRequiredService<AdminDbContext>().ChangeTracker.Clear();
                http.Request.Body.Position = 0;
            }
            catch (DbUpdateConcurrencyException)
            {
                return Problems.Conflict("The resource kept changing while this request wrote it. Try again.");
            }
        }
    }
}
