using AgentGateway.AdminApi.Domain.Identity;

namespace AgentGateway.AdminApi.Endpoints.Filters;

/// <summary>
/// Answers anyone but a platform admin 403, saying they may not <paramref name="action"/>. On a tenant's endpoint it
/// runs after <see cref="TenantFilter"/>, so a tenant the caller cannot see is still a 404.
/// </summary>
/// <param name="action">What the caller may not do, worded to follow "Your role does not allow you to".</param>
internal sealed class PlatformAdminFilter(string action) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (http.Response.StatusCode < StatusCodes.Status400BadRequest && !Caller.From(http.User).IsPlatformAdmin)
        {
            return Problems.Forbidden(action);
        }

        return await next(context);
    }
}
