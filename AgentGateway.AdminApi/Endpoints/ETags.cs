using AgentGateway.AdminApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>Strong ETags from row versions, and <c>If-Match</c> checks against them.</summary>
internal static class ETags
{
    public static string Format(uint version) => $"\"{version}\"";

    public static void Set(HttpResponse response, uint version) => response.Headers.ETag = Format(version);

    /// <summary>
    /// The 412 to answer when the request's <c>If-Match</c> names another version than <paramref name="version"/>;
    /// null when it may go on (no <c>If-Match</c>, <c>*</c>, or the version's ETag).
    /// </summary>
    public static ProblemHttpResult? CheckIfMatch(HttpRequest request, uint version) =>
        IfMatchAllows(request, version) ? null : Problems.PreconditionFailed();

    /// <summary>
    /// Saves the config change to a row read under its ETag: the 412 when another request changed the row meanwhile;
    /// otherwise null, with the row's new ETag (<paramref name="version"/>, read after the save) on the response.
    /// </summary>
    public static async Task<ProblemHttpResult?> SaveConfigChangesAsync(AdminDbContext db, HttpResponse response, Func<uint> version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(version);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.PreconditionFailed();
        }

        Set(response, version());
        return null;
    }

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
