using System.Globalization;
using System.Text.RegularExpressions;
using Cel;

namespace AgentGateway.Contracts.Policies;

/// <summary>
/// The CEL expressions of authorization rules: compiled once per config, evaluated per request over the variables
/// <c>jwt</c>, <c>apiKey</c>, <c>request</c>, <c>source</c>, <c>mcp</c> and <c>a2a</c>. Both planes validate with the same rules,
/// so an expression the control plane accepts is one every proxy can run.
/// </summary>
public static partial class CelExpressions
{
    /// <summary>The variables a rule may use.</summary>
    public static IReadOnlyList<string> Variables { get; } = ["jwt", "apiKey", "request", "source", "mcp", "a2a"];

    private static readonly Lock s_compileLock = new();
    private static readonly CelEnvironment s_environment = new(null, null);

    /// <summary>Compiles <paramref name="expression"/>; throws <see cref="CelException"/> when it is not valid CEL.</summary>
    public static CelProgramDelegate Compile(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        lock (s_compileLock)
        {
            return s_environment.Compile(expression);
        }
    }

    /// <summary>Evaluates a compiled rule: true only when it yields true; an error (a missing claim, a type mismatch) is false.</summary>
    public static bool IsTrue(CelProgramDelegate program, IDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(program);
        try
        {
            return program(variables) is true;
        }
        catch (Exception exception) when (exception is CelException or InvalidCastException or ArgumentException or KeyNotFoundException
            or NullReferenceException or FormatException or RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Why <paramref name="expression"/> cannot be a rule (with the position of a syntax error), or null when it can.</summary>
    public static string? Validate(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return "is required: a CEL expression that yields true or false";
        }

        if (expression.Length > 4096)
        {
            return "must be at most 4096 characters";
        }

        if (CelCost.Check(expression) is { } tooCostly)
        {
            return tooCostly;
        }

        CelProgramDelegate program;
        try
        {
            program = Compile(expression);
        }
        catch (CelException exception)
        {
            return $"is not valid CEL: {Describe(exception.Message)}";
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            return $"is not valid CEL: {exception.Message}";
        }

        try
        {
            // A trial run over empty values finds names that are no variable; missing fields are fine (claims vary).
            var result = program(SampleVariables());
            return result is bool ? null : $"must yield true or false, not {Describe(result)}";
        }
        catch (CelUndeclaredReferenceException exception)
        {
            return $"uses an unknown name ({Describe(exception.Message)}); the variables are {string.Join(", ", Variables)}";
        }
        catch (Exception exception) when (exception is CelException or InvalidCastException or ArgumentException or KeyNotFoundException
            or NullReferenceException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Empty values of every variable, shaped as at run time.</summary>
    public static Dictionary<string, object?> SampleVariables() => new(StringComparer.Ordinal)
    {
        ["jwt"] = new Dictionary<string, object?>(StringComparer.Ordinal),
        ["apiKey"] = new Dictionary<string, object?>(StringComparer.Ordinal),
        ["request"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["method"] = string.Empty,
            ["path"] = string.Empty,
            ["host"] = string.Empty,
            ["headers"] = new Dictionary<string, object?>(StringComparer.Ordinal),
        },
        ["source"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["address"] = string.Empty },
        ["mcp"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["method"] = string.Empty },
        ["a2a"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["method"] = string.Empty,
            ["binding"] = string.Empty,
            ["version"] = string.Empty,
            ["skill"] = string.Empty,
            ["contextId"] = string.Empty,
            ["taskId"] = string.Empty,
        },
    };

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string => "a string",
        long or int or ulong or uint => "a number",
        double => "a number",
        _ => value.GetType().Name,
    };

    private static string Describe(string message)
    {
        var match = SyntaxPosition().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var column = int.Parse(match.Groups["column"].Value, CultureInfo.InvariantCulture) + 1;
        return $"at line {match.Groups["line"].Value}, column {column}: {message[match.Length..].Trim()}";
    }

    [GeneratedRegex(@"^Line (?<line>\d+):(?<column>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex SyntaxPosition();
}
