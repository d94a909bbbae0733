using AgentGateway.AdminApi.Endpoints.Contracts;

namespace AgentGateway.AdminApi.Endpoints.Filters;

/// <summary>
/// Answers a resource with its ETag: when the handler's result is a success whose value is one stored resource
/// (<see cref="IVersionedResponse"/>), the response's <c>ETag</c> header is that resource's version.
/// </summary>
internal sealed class ETagFilter : IEndpointFilter
{
    public static ETagFilter Instance { get; } = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var result = await next(context);
        if (VersionOf(result) is { } version)
        {
            ETags.Set(context.HttpContext.Response, version);
        }

        return result;
    }

    private static string? VersionOf(object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return result is IStatusCodeHttpResult { StatusCode: >= StatusCodes.Status200OK and < StatusCodes.Status300MultipleChoices }
            and IValueHttpResult { Value: IVersionedResponse resource }
            ? resource.Version
            : null;
    }
}
