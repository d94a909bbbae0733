using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.Routes.Form;

/// <summary>A header or query parameter condition as the route form edits it.</summary>
public sealed class ConditionRow
{
    /// <summary>The header or parameter need only be present.</summary>
    public const string Present = "present";

    /// <summary>Its whole value is <see cref="Value"/>.</summary>
    public const string Exact = "exact";

    /// <summary>Its whole value matches the regular expression <see cref="Value"/>.</summary>
    public const string Regex = "regex";

    public string Name { get; set; } = string.Empty;

    public string Match { get; set; } = Present;

    public string Value { get; set; } = string.Empty;

    /// <summary>Take the requests that do NOT satisfy the condition.</summary>
    public bool Invert { get; set; }

    public bool IsBlank => Name.Trim().Length == 0 && Value.Length == 0;

    public static ConditionRow From(RouteCondition condition) => new()
    {
        Name = condition.Name,
        Match = condition.Regex is { Length: > 0 } ? Regex : condition.Exact is not null ? Exact : Present,
        Value = condition.Regex is { Length: > 0 } regex ? regex : condition.Exact ?? string.Empty,
        Invert = condition.Invert,
    };

    /// <summary>The condition as AdminApi takes it; an exact value is sent as typed (it may be empty or have spaces).</summary>
    public RouteCondition ToCondition() => Match switch
    {
        Exact => new RouteCondition(Name.Trim(), Exact: Value, Invert: Invert),
        Regex => new RouteCondition(Name.Trim(), Regex: Value, Invert: Invert),
        _ => new RouteCondition(Name.Trim(), Invert: Invert),
    };
}
