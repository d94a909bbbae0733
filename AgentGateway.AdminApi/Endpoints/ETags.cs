using Microsoft.Net.Http.Headers;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>Strong ETags from row versions, and <c>If-Match</c> checks against them.</summary>
internal static class ETags
{
    public static string Format(uint version) => $"\"{version}\"";

    public static void Set(HttpResponse response, uint version) => response.Headers.ETag = Format(version);

    /// <summary>True when the request has no <c>If-Match</c>, has <c>*</c>, or names <paramref name="version"/>.</summary>
    public static bool IfMatchAllows(HttpRequest request, uint version)
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
