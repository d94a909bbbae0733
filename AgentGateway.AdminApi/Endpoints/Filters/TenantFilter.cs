using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Tenants;

namespace AgentGateway.AdminApi.Endpoints.Filters;

/// <summary>
/// What every endpoint under <c>/api/v1/tenants/{tenant}</c> does first: resolves the tenant the path names for the
/// caller (404 "Tenant not found" when there is none, or the caller has no role in it, so a foreign tenant looks
/// absent), checks the endpoint's <see cref="TenantRoleRequirement"/> (403; but 404 when the endpoint's
/// <see cref="TenantItem"/> is not there), and hands the handler the caller's <see cref="TenantGrant"/> in place of
/// the stand-in its parameter was bound to (<see cref="Unresolved"/>).
/// </summary>
/// <param name="grantIndex">The position of the handler's <see cref="TenantGrant"/> parameter; -1 when it has none.</param>
internal sealed class TenantFilter(int grantIndex) : IEndpointFilter
{
    /// <summary>The route parameter that names the tenant.</summary>
    public const string RouteParameter = "tenant";

    /// <summary>
    /// What a handler's <see cref="TenantGrant"/> parameter is bound to (from the request's services) before the
    /// tenant is resolved: no tenant at all. Binding runs before endpoint filters; this filter replaces it.
    /// </summary>
    public static TenantGrant Unresolved { get; } = new(null!, TenantRole.Viewer);

    /// <summary>The filter of one endpoint, which knows where its handler takes the grant.</summary>
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var filter = new TenantFilter(Array.FindIndex(context.MethodInfo.GetParameters(), parameter => parameter.ParameterType == typeof(TenantGrant)));
        return invocation => filter.InvokeAsync(invocation, next);
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (http.Response.StatusCode >= StatusCodes.Status400BadRequest)
        {
            // The request did not bind (a malformed body, say): its 400 stands, and the handler does not run.
            return await next(context);
        }

        var tenant = http.GetRouteValue(RouteParameter) as string ?? string.Empty;
        var access = http.RequestServices.GetRequiredService<TenantAccess>();
        if (await access.FindAsync(Caller.From(http.User), tenant, http.RequestAborted) is not { } grant)
        {
            return Problems.NotFound("Tenant", tenant);
        }

        var metadata = http.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<TenantRoleRequirement>() is { } requirement && !grant.Allows(requirement.Role))
        {
            // What is not there is a 404 whatever the caller's role; only what is there can be forbidden.
            return metadata.GetMetadata<TenantItem>() is { } item && await item.NotFoundAsync(http, grant) is { } notFound
                ? notFound
                : Problems.Forbidden(requirement.Action);
        }

        if (grantIndex >= 0)
        {
            context.Arguments[grantIndex] = grant;
        }

        return await next(context);
    }
}
