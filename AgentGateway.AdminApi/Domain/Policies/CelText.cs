using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>Pieces of CEL written from data: string literals, and field access that tolerates any claim name.</summary>
internal static partial class CelText
{
    private static readonly HashSet<string> s_reserved = new(StringComparer.Ordinal)
    {
        "false", "in", "null", "true", "as", "break", "const", "continue", "else", "for", "function", "if", "import",
        "let", "loop", "package", "namespace", "return", "var", "void", "while",
    };

    /// <summary>A double-quoted CEL string literal of <paramref name="value"/>; characters outside the BMP are written as <c>\U</c> escapes.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2).Append('"');
        for (var index = 0; index < value.Length; index++)
        {
            var character = value[index];
            if (char.IsHighSurrogate(character) && index + 1 < value.Length && char.IsLowSurrogate(value[index + 1]))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\U{char.ConvertToUtf32(character, value[++index]):x8}");
                continue;
            }

            switch (character)
            {
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (char.IsControl(character) || char.IsSurrogate(character) || character is '\u2028' or '\u2029')
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}");
                    }
                    else
                    {
                        builder.Append(character);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Whether <paramref name="value"/> is well-formed text (no unpaired surrogate), which CEL literals require.</summary>
    public static bool IsWellFormed(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (var index = 0; index < value.Length; index++)
        {
            if (char.IsHighSurrogate(value[index]) && index + 1 < value.Length && char.IsLowSurrogate(value[index + 1]))
            {
                index++;
            }
            else if (char.IsSurrogate(value[index]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The guard that a claim is present, and the expression of its value: <c>has(jwt.a.b)</c> and <c>jwt.a.b</c> for a
    /// dotted path of plain names, else <c>"name" in jwt</c> and <c>jwt["name"]</c> (names such as URLs).
    /// </summary>
    public static (string Guard, string Value) Claim(string claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var segments = claim.Split('.');
        if (segments.All(segment => Identifier().IsMatch(segment) && !s_reserved.Contains(segment)))
        {
            var guards = new List<string>();
            var path = "jwt";
            foreach (var segment in segments)
            {
                path += "." + segment;
                guards.Add($"has({path})");
            }

            return (string.Join(" && ", guards), path);
        }

        var literal = Literal(claim);
        return ($"{literal} in jwt", $"jwt[{literal}]");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
