using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints.Filters;

/// <summary>
/// The second half of <c>If-Match</c> on an endpoint that honours it: the handler checks the header against the row
/// it read (<see cref="ETags.CheckIfMatch"/>); when its save then finds that another request changed the row
/// meanwhile, the answer is the same 412, and nothing is written.
/// </summary>
internal sealed class ChangedMeanwhileFilter : IEndpointFilter
{
    public static ChangedMeanwhileFilter Instance { get; } = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.PreconditionFailed();
        }
    }
}
