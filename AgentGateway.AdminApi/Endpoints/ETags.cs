using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// Strong ETags from row versions, and <c>If-Match</c> checks against them. The header itself is set by
/// <see cref="Filters.ETagFilter"/> from the resource a handler answers with.
/// </summary>
internal static class ETags
{
    public static string Format(uint version) => Format(version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string Format(string version) => $"\"{version}\"";

    public static void Set(HttpResponse response, string version)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ETag = Format(version);
    }

    /// <summary>
    /// The 412 to answer when the request's <c>If-Match</c> names another version than <paramref name="version"/>;
    /// null when it may go on (no <c>If-Match</c>, <c>*</c>, or the version's ETag). Handlers call it once the row is
    /// read and the request found valid, before they change anything.
    /// </summary>
    public static ProblemHttpResult? CheckIfMatch(HttpRequest request, uint version) =>
        IfMatchAllows(request, version) ? null : Problems.PreconditionFailed();

    private static bool IfMatchAllows(HttpRequest request, uint version)
    {
        var values = request.GetTypedHeaders().IfMatch;
        if (values.Count == 0)
        {
            return true;
        }

        var current = new EntityTagHeaderValue(Format(version));
        return values.Any(value => value.Equals(EntityTagHeaderValue.Any) || value.Compare(current, useStrongComparison: true));
    }
}
