using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>The RFC 7807 answers the admin API gives, worded the same everywhere.</summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string kind, string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{kind} not found", detail: $"There is no {kind.ToLowerInvariant()} '{name}'.");

    public static ProblemHttpResult Forbidden(string action) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"Your role does not allow you to {action}.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static ProblemHttpResult PreconditionFailed() =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed",
            detail: "The resource changed since you read it (If-Match does not match its ETag). Read it again and retry.");
}
