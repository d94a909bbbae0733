namespace AgentGateway.Portal.Components.Shared;

/// <summary>What a line of a diff is: in both texts, only in the old one, only in the new one, or a run of unchanged lines left out.</summary>
internal enum DiffKind
{
    Same,
    Removed,
    Added,
    Skipped,
}

/// <summary>One line of a diff, with its number in the old and in the new text (1-based; null where it is absent).</summary>
/// <param name="Text">The line; for <see cref="DiffKind.Skipped"/>, a note of how many lines were left out.</param>
internal readonly record struct DiffLine(DiffKind Kind, int? OldNumber, int? NewNumber, string Text);

/// <summary>One row of a side-by-side diff: the old line on the left, the new on the right (either may be missing).</summary>
internal readonly record struct DiffRow(DiffLine? Left, DiffLine? Right);

/// <summary>
/// Line diffs of two texts: the longest common subsequence of their lines (after the common start and end are set
/// aside), removals before additions within each change. Texts too large for the table are shown as one change.
/// </summary>
internal static class LineDiff
{
    /// <summary>The largest table (old × new changed lines) the comparison builds; beyond, the middle is one change.</summary>
    public const int MaxCells = 4_000_000;

    public static IReadOnlyList<string> Lines(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    public static IReadOnlyList<DiffLine> Compare(string? oldText, string? newText) => Compare(Lines(oldText), Lines(newText));

    public static IReadOnlyList<DiffLine> Compare(IReadOnlyList<string> oldLines, IReadOnlyList<string> newLines)
    {
        ArgumentNullException.ThrowIfNull(oldLines);
        ArgumentNullException.ThrowIfNull(newLines);
        var start = 0;
        while (start < oldLines.Count && start < newLines.Count && oldLines[start] == newLines[start])
        {
            start++;
        }

        var oldEnd = oldLines.Count;
        var newEnd = newLines.Count;
        while (oldEnd > start && newEnd > start && oldLines[oldEnd - 1] == newLines[newEnd - 1])
        {
            oldEnd--;
            newEnd--;
        }

        var result = new List<DiffLine>(Math.Max(oldLines.Count, newLines.Count));
        for (var index = 0; index < start; index++)
        {
            result.Add(new DiffLine(DiffKind.Same, index + 1, index + 1, oldLines[index]));
        }

        CompareMiddle(oldLines, start, oldEnd, newLines, start, newEnd, result);
        for (int oldIndex = oldEnd, newIndex = newEnd; oldIndex < oldLines.Count; oldIndex++, newIndex++)
        {
            result.Add(new DiffLine(DiffKind.Same, oldIndex + 1, newIndex + 1, oldLines[oldIndex]));
        }

        return result;
    }

    /// <summary>
    /// Leaves out the unchanged lines farther than <paramref name="context"/> lines from any change, each run as one
    /// <see cref="DiffKind.Skipped"/> line.
    /// </summary>
    public static IReadOnlyList<DiffLine> Collapse(IReadOnlyList<DiffLine> lines, int context)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfNegative(context);
        var keep = new bool[lines.Count];
        for (var index = 0; index < lines.Count; index++)
        {
            if (lines[index].Kind != DiffKind.Same)
            {
                for (var near = Math.Max(0, index - context); near <= Math.Min(lines.Count - 1, index + context); near++)
                {
                    keep[near] = true;
                }
            }
        }

        var result = new List<DiffLine>();
        var skipped = 0;
        for (var index = 0; index < lines.Count; index++)
        {
            if (keep[index])
            {
                AddSkipped(result, ref skipped);
                result.Add(lines[index]);
            }
            else
            {
                skipped++;
            }
        }

        AddSkipped(result, ref skipped);
        return result;
    }

    /// <summary>The lines in rows: unchanged lines on both sides, and each change's removals beside its additions.</summary>
    public static IReadOnlyList<DiffRow> SideBySide(IReadOnlyList<DiffLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rows = new List<DiffRow>(lines.Count);
        var removed = new List<DiffLine>();
        var added = new List<DiffLine>();
        foreach (var line in lines)
        {
            switch (line.Kind)
            {
                case DiffKind.Removed:
                    removed.Add(line);
                    break;
                case DiffKind.Added:
                    added.Add(line);
                    break;
                default:
                    Pair(rows, removed, added);
                    rows.Add(new DiffRow(line, line));
                    break;
            }
        }

        Pair(rows, removed, added);
        return rows;
    }

    private static void CompareMiddle(
        IReadOnlyList<string> oldLines, int oldStart, int oldEnd, IReadOnlyList<string> newLines, int newStart, int newEnd, List<DiffLine> result)
    {
        var oldCount = oldEnd - oldStart;
        var newCount = newEnd - newStart;
        if ((long)(oldCount + 1) * (newCount + 1) > MaxCells)
        {
            for (var index = oldStart; index < oldEnd; index++)
            {
                result.Add(new DiffLine(DiffKind.Removed, index + 1, null, oldLines[index]));
            }

            for (var index = newStart; index < newEnd; index++)
            {
                result.Add(new DiffLine(DiffKind.Added, null, index + 1, newLines[index]));
            }

            return;
        }

        // common[i, j]: the length of the longest common subsequence of the old lines from i and the new lines from j.
        var common = new int[oldCount + 1, newCount + 1];
        for (var i = oldCount - 1; i >= 0; i--)
        {
            for (var j = newCount - 1; j >= 0; j--)
            {
                common[i, j] = oldLines[oldStart + i] == newLines[newStart + j]
                    ? common[i + 1, j + 1] + 1
                    : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        int oldIndex = 0, newIndex = 0;
        while (oldIndex < oldCount || newIndex < newCount)
        {
            if (oldIndex < oldCount && newIndex < newCount && oldLines[oldStart + oldIndex] == newLines[newStart + newIndex])
            {
                result.Add(new DiffLine(DiffKind.Same, oldStart + oldIndex + 1, newStart + newIndex + 1, oldLines[oldStart + oldIndex]));
                oldIndex++;
                newIndex++;
            }
            else if (newIndex == newCount || (oldIndex < oldCount && common[oldIndex + 1, newIndex] >= common[oldIndex, newIndex + 1]))
            {
                result.Add(new DiffLine(DiffKind.Removed, oldStart + oldIndex + 1, null, oldLines[oldStart + oldIndex]));
                oldIndex++;
            }
            else
            {
                result.Add(new DiffLine(DiffKind.Added, null, newStart + newIndex + 1, newLines[newStart + newIndex]));
                newIndex++;
            }
        }
    }

    private static void AddSkipped(List<DiffLine> result, ref int skipped)
    {
        if (skipped > 0)
        {
            result.Add(new DiffLine(DiffKind.Skipped, null, null, skipped == 1 ? "1 unchanged line" : $"{skipped} unchanged lines"));
            skipped = 0;
        }
    }

    private static void Pair(List<DiffRow> rows, List<DiffLine> removed, List<DiffLine> added)
    {
        for (var index = 0; index < Math.Max(removed.Count, added.Count); index++)
        {
            rows.Add(new DiffRow(index < removed.Count ? removed[index] : null, index < added.Count ? added[index] : null));
        }

        removed.Clear();
        added.Clear();
    }
}
