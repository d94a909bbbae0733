namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>A header or query parameter condition of a route's match.</summary>
/// <param name="Name">The header (case-insensitive) or query parameter (case-sensitive) name.</param>
/// <param name="Exact">The whole value; with neither exact nor regex the header or parameter need only be present.</param>
/// <param name="Regex">A .NET regular expression the whole value must match (not with exact).</param>
/// <param name="Invert">Take requests that do NOT satisfy the condition.</param>
public sealed record RouteCondition(string? Name, string? Exact = null, string? Regex = null, bool Invert = false);
