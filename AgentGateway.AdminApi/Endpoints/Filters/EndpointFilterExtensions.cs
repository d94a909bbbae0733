using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AgentGateway.AdminApi.Endpoints.Filters;

/// <summary>
/// How endpoints declare what they do before and after their handler: a tenant's group, the role an endpoint takes
/// (and the item it names, missing before forbidden), platform admins only, ETags, <c>If-Match</c>.
/// </summary>
internal static class EndpointFilterExtensions
{
    /// <summary>The path every tenant's endpoints live under.</summary>
    public const string TenantPrefix = "/api/v1/tenants/{" + TenantFilter.RouteParameter + "}";

    /// <summary>
    /// The group of <c>/api/v1/tenants/{tenant}{path}</c>: its handlers run only for a tenant the caller may see (404
    /// otherwise), take the caller's <see cref="TenantGrant"/> as a parameter, and answer with ETags.
    /// </summary>
    public static RouteGroupBuilder MapTenantGroup(this IEndpointRouteBuilder endpoints, string path)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(TenantPrefix + path);
        // Outermost, so that a write which found its rows changed meanwhile starts over from the tenant.
        group.AddEndpointFilter(ChangedMeanwhileFilter.Instance);
        group.AddEndpointFilterFactory(TenantFilter.Create);
        group.WithETags();
        group.ProducesProblem(StatusCodes.Status404NotFound);
        // Handlers take the grant, not the tenant's name, so the OpenAPI document learns of the path parameter here.
        group.AddOpenApiOperationTransformer(DescribeTenantParameter);
        return group;
    }

    /// <summary>The least tenant role the endpoint takes (in a <see cref="MapTenantGroup"/> group); others get 403.</summary>
    /// <param name="action">What a caller of a lower role may not do, e.g. "write secrets (developers and above)".</param>
    public static RouteHandlerBuilder RequireTenantRole(this RouteHandlerBuilder builder, TenantRole role, string action)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new TenantRoleRequirement(role, action)).ProducesProblem(StatusCodes.Status403Forbidden);
    }

    /// <summary>
    /// The least tenant role the endpoint takes on the <paramref name="item"/> its path names: a caller of a lower
    /// role gets 404 when there is no such item (as anyone does), 403 when there is.
    /// </summary>
    /// <param name="action">What a caller of a lower role may not do, e.g. "delete routes (developers and above)".</param>
    public static RouteHandlerBuilder RequireTenantRole(this RouteHandlerBuilder builder, TenantRole role, string action, TenantItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return builder.RequireTenantRole(role, action).WithMetadata(item);
    }

    /// <summary>Only platform admins may call the endpoint; others get 403.</summary>
    /// <param name="action">What anyone else may not do, e.g. "create tenants (platform admins only)".</param>
    public static RouteHandlerBuilder RequirePlatformAdmin(this RouteHandlerBuilder builder, string action)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter(new PlatformAdminFilter(action)).ProducesProblem(StatusCodes.Status403Forbidden);
    }

    /// <summary>
    /// The endpoints answer a stored resource (<see cref="IVersionedResponse"/>) with its version in the <c>ETag</c>
    /// header (<see cref="ETagFilter"/>).
    /// </summary>
    public static TBuilder WithETags<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter(ETagFilter.Instance);
    }

    private static Task DescribeTenantParameter(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        if (!operation.Parameters.Any(parameter => parameter.In == ParameterLocation.Path && parameter.Name == TenantFilter.RouteParameter))
        {
            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = TenantFilter.RouteParameter,
                In = ParameterLocation.Path,
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        return Task.CompletedTask;
    }
}
