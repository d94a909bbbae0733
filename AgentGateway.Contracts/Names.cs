using System.Text.RegularExpressions;

namespace AgentGateway.Contracts;

/// <summary>
/// The shape of every name a tenant chooses (tenant slugs, MCP server, target and route names): lower-case letters,
/// digits and '-', starting with a letter, at most 63 characters. Both planes validate against it.
/// </summary>
public static partial class Names
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 63;

    /// <summary>A human-readable statement of the rule, for error messages.</summary>
    public const string Rule = "must be 1-63 characters of lower-case letters, digits and '-', start with a letter and not end with '-'";

    /// <summary>Whether <paramref name="value"/> is a valid name.</summary>
    public static bool IsValid(string? value) => value is not null && NamePattern().IsMatch(value);

    [GeneratedRegex("^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
