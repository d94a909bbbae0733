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

    /// <summary>
    /// The errors of <paramref name="field"/> and of everything inside it (<c>spec</c> covers <c>spec.providers[0].issuer</c>),
    /// each with the field it names.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string[]>> ErrorsUnder(string field) =>
        Errors.Where(error => error.Key == field
            || (error.Key.Length > field.Length && error.Key.StartsWith(field, StringComparison.Ordinal) && error.Key[field.Length] is '.' or '['));

    /// <summary>The messages of <paramref name="field"/> and of everything inside it, joined; null when there are none.</summary>
    public string? ErrorUnder(string field)
    {
        var messages = ErrorsUnder(field).Select(error => error.Key == field ? string.Join(" ", error.Value) : $"{error.Key[field.Length..].TrimStart('.')}: {string.Join(" ", error.Value)}").ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }
}
