using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Pipeline.Guards;

/// <summary>A match of a guard in a text: where it is, and what masks it.</summary>
/// <param name="What">What matched, for a rejection's message: "an e-mail address", "text matching a pattern".</param>
internal readonly record struct GuardMatch(int Start, int Length, CompiledGuard Guard, string Replacement, string What)
{
    public int End => Start + Length;
}

/// <summary>A guard that rejected a text: which one, and what the client is told.</summary>
internal sealed record GuardRejection(string Guard, string Message);

/// <summary>One pattern and detector guard (of LLM prompts and answers, or of tool arguments and results), its regular expressions compiled once per config.</summary>
internal sealed class CompiledGuard
{
    private readonly Regex[] _patterns;
    private readonly PiiDetector[] _detectors;

    public CompiledGuard(LlmGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        Name = guard.Name;
        Rejects = guard.Action == LlmGuardAction.Reject;
        _patterns = [.. guard.Patterns.Select(pattern => new Regex(pattern, RegexOptions.CultureInvariant, RouteValidator.RegexTimeout))];
        _detectors = [.. guard.Pii.Distinct()];
        Replacement = guard.Replacement;
        Message = guard.Message;
    }

    public string Name { get; }

    public bool Rejects { get; }

    private string Replacement { get; }

    private string Message { get; }

    /// <summary>What the client is told when this guard rejects text that matched <paramref name="what"/>.</summary>
    public GuardRejection Rejection(string phase, string what) =>
        new(Name, Message.Length > 0 ? Message : $"Guard '{Name}' rejected the {phase}: it contains {what}.");

    /// <summary>Every match in <paramref name="text"/>, in any order (overlaps resolved by <see cref="TextGuards.Scan"/>).</summary>
    public IEnumerable<GuardMatch> Find(string text)
    {
        var masked = Replacement.Length > 0 ? Replacement : "[REDACTED]";
        foreach (var pattern in _patterns)
        {
            List<Match>? matches;
            try
            {
                matches = [.. pattern.Matches(text).Where(match => match.Length > 0)];
            }
            catch (RegexMatchTimeoutException)
            {
                matches = null;
            }

            if (matches is null)
            {
                // A pattern too slow for the text counts as matching all of it: the text is not let through unchecked.
                yield return new GuardMatch(0, text.Length, this, masked, "text a pattern could not be checked against in time");
                continue;
            }

            foreach (var match in matches)
            {
                yield return new GuardMatch(match.Index, match.Length, this, masked, "text matching a pattern");
            }
        }

        foreach (var detector in _detectors)
        {
            foreach (var (start, length) in PiiDetectors.Find(detector, text))
            {
                yield return new GuardMatch(start, length, this, Replacement.Length > 0 ? Replacement : $"[{PiiDetectors.Label(detector)}]", PiiDetectors.Describe(detector));
            }
        }
    }
}

/// <summary>
/// Guards applied to texts: the matches found (the longest at a place, a rejecting one alone), the rejection they make,
/// the texts masked. Shared by the route kinds that check content: LLM prompts and answers, MCP tool arguments and results.
/// </summary>
internal static class TextGuards
{
    /// <summary>
    /// The matches of <paramref name="guards"/> in <paramref name="text"/>, in order, without overlaps (at one place the
    /// longest match wins). A match of a rejecting guard is never hidden by another: when there is one, the first is
    /// all that is returned.
    /// </summary>
    public static List<GuardMatch> Scan(IReadOnlyList<CompiledGuard> guards, string text)
    {
        var all = new List<GuardMatch>();
        if (text.Length == 0)
        {
            return all;
        }

        foreach (var guard in guards)
        {
            all.AddRange(guard.Find(text));
        }

        all.Sort((left, right) => left.Start != right.Start ? left.Start.CompareTo(right.Start) : right.Length.CompareTo(left.Length));
        if (all.FindIndex(match => match.Guard.Rejects) is var rejecting and >= 0)
        {
            return [all[rejecting]];
        }

        var kept = new List<GuardMatch>(all.Count);
        foreach (var match in all)
        {
            if (kept.Count == 0 || match.Start >= kept[^1].End)
            {
                kept.Add(match);
            }
        }

        return kept;
    }

    /// <summary>The rejection of what <see cref="Scan"/> found (a rejecting match comes alone), counted in <paramref name="hits"/>; null when nothing rejects.</summary>
    public static GuardRejection? Rejection(List<GuardMatch> matches, string phase, ICollection<(string Guard, bool Rejected)> hits)
    {
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(hits);
        if (matches is not [{ Guard.Rejects: true } rejecting])
        {
            return null;
        }

        hits.Add((rejecting.Guard.Name, true));
        return rejecting.Guard.Rejection(phase, rejecting.What);
    }

    /// <summary>Counts each guard whose matches masked text once in <paramref name="hits"/>.</summary>
    public static void RecordMasks(IEnumerable<GuardMatch> masked, ICollection<(string Guard, bool Rejected)> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        foreach (var guard in masked.Select(match => match.Guard.Name).Distinct(StringComparer.Ordinal))
        {
            hits.Add((guard, false));
        }
    }

    /// <summary>
    /// <paramref name="text"/> with every match replaced, up to <paramref name="end"/> (matches past it are left alone);
    /// in <paramref name="json"/> text (inside its strings) the replacements are JSON-escaped.
    /// </summary>
    public static string Mask(string text, IReadOnlyList<GuardMatch> matches, int end, bool json = false)
    {
        var masked = new StringBuilder(end);
        var position = 0;
        foreach (var match in matches)
        {
            if (match.End > end)
            {
                break;
            }

            masked.Append(text, position, match.Start - position)
                .Append(json ? JsonEncodedText.Encode(match.Replacement, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString() : match.Replacement);
            position = match.End;
        }

        return masked.Append(text, position, end - position).ToString();
    }

    /// <summary>
    /// Applies <paramref name="guards"/> to each text: null when one rejects (its rejection out), else the texts masked
    /// (the same strings when nothing matched). <paramref name="hits"/> gets every guard that acted, for metrics.
    /// </summary>
    public static string[]? Apply(IReadOnlyList<CompiledGuard> guards, IReadOnlyList<string> texts, string phase, out GuardRejection? rejection, ICollection<(string Guard, bool Rejected)> hits)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(hits);
        rejection = null;
        var result = new string[texts.Count];
        for (var index = 0; index < texts.Count; index++)
        {
            var text = texts[index];
            var matches = Scan(guards, text);
            if ((rejection = Rejection(matches, phase, hits)) is not null)
            {
                return null;
            }

            RecordMasks(matches, hits);
            result[index] = matches.Count == 0 ? text : Mask(text, matches, text.Length);
        }

        return result;
    }
}
