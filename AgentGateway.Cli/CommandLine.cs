namespace AgentGateway.Cli;

/// <summary>A command line that does not parse, or names what its command does not take.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A command line read as words (the command and its arguments) and options: <c>--name value</c>,
/// <c>--name=value</c>, the short forms <c>-o</c> and <c>-f</c>, and flags, which take no value.
/// </summary>
internal sealed class CommandLine
{
    /// <summary>The options that take no value.</summary>
    public static readonly IReadOnlySet<string> Flags = new HashSet<string>(StringComparer.Ordinal) { "prune", "dry-run", "json", "expand-env", "help", "no-browser" };

    private static readonly Dictionary<string, string> s_short = new(StringComparer.Ordinal) { ["-o"] = "output", ["-f"] = "file", ["-h"] = "help" };

    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);

    private CommandLine()
    {
    }

    public List<string> Words { get; } = [];

    public IEnumerable<string> OptionNames => _options.Keys;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var line = new CommandLine();
        for (var index = 0; index < args.Count; index++)
        {
            var arg = args[index];
            string name;
            string? value = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                (name, value) = equals > 0 ? (arg[2..equals], arg[(equals + 1)..]) : (arg[2..], null);
            }
            else if (s_short.TryGetValue(arg, out var full))
            {
                name = full;
            }
            else if (arg.StartsWith('-') && arg.Length > 1)
            {
                throw new UsageException($"agw: unknown option '{arg}'.");
            }
            else
            {
                line.Words.Add(arg);
                continue;
            }

            if (Flags.Contains(name))
            {
                if (value is not null)
                {
                    throw new UsageException($"agw: --{name} takes no value.");
                }

                value = "true";
            }
            else if (value is null)
            {
                if (index + 1 >= args.Count)
                {
                    throw new UsageException($"agw: --{name} needs a value.");
                }

                value = args[++index];
            }

            if (!line._options.TryGetValue(name, out var values))
            {
                line._options[name] = values = [];
            }

            values.Add(value);
        }

        return line;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    /// <summary>The option's value; the last one when it is given more than once.</summary>
    public string? Get(string name) => _options.TryGetValue(name, out var values) ? values[^1] : null;

    public IReadOnlyList<string> All(string name) => _options.TryGetValue(name, out var values) ? values : [];
}
