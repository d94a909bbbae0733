namespace AgentGateway.Contracts.Policies;

/// <summary>
/// A bound on what one rule may cost per request, read from its text: CEL has no loops, so its cost grows only with
/// comprehensions (<c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>, <c>filter</c>) nested over the request's
/// lists and with regular expressions (<c>matches</c>). A rule may use a few of each and nest comprehensions two deep;
/// the proxy bounds the inputs (claim lists, headers) and every regular expression's run time besides.
/// </summary>
public static class CelCost
{
    public const int MaxComprehensions = 4;
    public const int MaxComprehensionDepth = 2;
    public const int MaxRegexCalls = 4;

    private static readonly string[] s_comprehensions = ["all", "exists", "exists_one", "map", "filter"];

    /// <summary>Why <paramref name="expression"/> costs too much to run per request, or null.</summary>
    public static string? Check(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var comprehensions = 0;
        var regexes = 0;
        var deepest = 0;
        // The paren depths at which the comprehensions open now are; a ')' at that depth closes one.
        var open = new Stack<int>();
        var depth = 0;
        for (var index = 0; index < expression.Length; index++)
        {
            var character = expression[index];
            if (character is '"' or '\'')
            {
                index = SkipString(expression, index);
                continue;
            }

            if (character == '(')
            {
                depth++;
                var name = NameBefore(expression, index);
                if (s_comprehensions.Contains(name, StringComparer.Ordinal))
                {
                    comprehensions++;
                    open.Push(depth);
                    deepest = Math.Max(deepest, open.Count);
                }
                else if (name == "matches")
                {
                    regexes++;
                }
            }
            else if (character == ')')
            {
                if (open.Count > 0 && open.Peek() == depth)
                {
                    open.Pop();
                }

                depth--;
            }
        }

        return comprehensions > MaxComprehensions ? $"costs too much per request: {comprehensions} comprehensions (all, exists, map, filter), at most {MaxComprehensions}"
            : deepest > MaxComprehensionDepth ? $"costs too much per request: comprehensions nested {deepest} deep, at most {MaxComprehensionDepth}"
            : regexes > MaxRegexCalls ? $"costs too much per request: {regexes} regular expressions (matches), at most {MaxRegexCalls}"
            : null;
    }

    /// <summary>The identifier right before <paramref name="paren"/> (after a '.' for a macro call), or "".</summary>
    private static string NameBefore(string expression, int paren)
    {
        var end = paren;
        while (end > 0 && char.IsWhiteSpace(expression[end - 1]))
        {
            end--;
        }

        var start = end;
        while (start > 0 && (char.IsLetterOrDigit(expression[start - 1]) || expression[start - 1] == '_'))
        {
            start--;
        }

        return expression[start..end];
    }

    /// <summary>The index of the closing quote of the string starting at <paramref name="start"/> (triple quotes and escapes included).</summary>
    private static int SkipString(string expression, int start)
    {
        var quote = expression[start];
        var triple = start + 2 < expression.Length && expression[start + 1] == quote && expression[start + 2] == quote;
        var raw = start > 0 && expression[start - 1] is 'r' or 'R';
        var index = start + (triple ? 3 : 1);
        while (index < expression.Length)
        {
            if (expression[index] == '\\' && !raw)
            {
                index += 2;
                continue;
            }

            if (expression[index] == quote && (!triple || (index + 2 < expression.Length && expression[index + 1] == quote && expression[index + 2] == quote)))
            {
                return triple ? index + 2 : index;
            }

            index++;
        }

        return expression.Length - 1;
    }
}
