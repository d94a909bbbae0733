namespace AgentGateway.Portal.Components.Shared;

/// <summary>Lists edited as one text field: items separated by commas or line breaks.</summary>
internal static class TextLists
{
    private static readonly char[] s_separators = [',', '\n'];

    public static List<string> Split(string? text) =>
        [.. (text ?? string.Empty).Split(s_separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public static string Join(IEnumerable<string>? items) => string.Join(", ", items ?? []);

    /// <summary><c>name=value</c> lines as a dictionary (a line without '=' has an empty value; later names win).</summary>
    public static Dictionary<string, string> Pairs(string? text)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            pairs[separator < 0 ? line : line[..separator].Trim()] = separator < 0 ? string.Empty : line[(separator + 1)..].Trim();
        }

        return pairs;
    }

    public static string PairLines(IReadOnlyDictionary<string, string>? pairs) =>
        string.Join("\n", (pairs ?? new Dictionary<string, string>()).Select(pair => $"{pair.Key}={pair.Value}"));
}
