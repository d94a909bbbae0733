using System.Net;

namespace AgentGateway.Portal.Services;

/// <summary>AdminApi refused a request; carries its ProblemDetails so the page can show why.</summary>
public sealed class AdminApiException(
    HttpStatusCode status, string title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    : Exception(detail is null ? title : $"{title}: {detail}")
{
    public HttpStatusCode Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    /// <summary>Per-field validation errors, keyed by the request's camelCase field name.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>The messages for <paramref name="field"/>, joined; null when the field has none.</summary>
    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;
}
