using Microsoft.AspNetCore.Components;

namespace AgentGateway.Portal.Components.Shared;

public sealed partial class DiffView
{
    private IReadOnlyList<DiffLine> _lines = [];
    private IReadOnlyList<DiffRow> _rows = [];
    private int _added;
    private int _removed;

    /// <summary>The text as it was (e.g. the approved definition).</summary>
    [Parameter]
    public string? OldText { get; set; }

    /// <summary>The text as it would become (e.g. the pending definition).</summary>
    [Parameter]
    public string? NewText { get; set; }

    [Parameter]
    public string OldLabel { get; set; } = "before";

    [Parameter]
    public string NewLabel { get; set; } = "after";

    /// <summary>Unchanged lines kept around each change; the rest are folded. Null shows every line.</summary>
    [Parameter]
    public int? Context { get; set; } = 4;

    [Parameter]
    public string TestId { get; set; } = "diff";

    private bool SideBySideShown { get; set; }

    protected override void OnParametersSet()
    {
        var lines = LineDiff.Compare(OldText, NewText);
        _added = lines.Count(line => line.Kind == DiffKind.Added);
        _removed = lines.Count(line => line.Kind == DiffKind.Removed);
        _lines = Context is { } context ? LineDiff.Collapse(lines, context) : lines;
        _rows = LineDiff.SideBySide(_lines);
    }

    private static string CellClass(DiffLine? line) => line is { } present ? RowClass(present.Kind) : "diff-empty";

    private static string KindOf(DiffLine? line) => line is { } present ? KindName(present.Kind) : "empty";

    private static string RowClass(DiffKind kind) => kind switch
    {
        DiffKind.Added => "diff-added",
        DiffKind.Removed => "diff-removed",
        DiffKind.Skipped => "diff-skipped",
        _ => string.Empty,
    };

    private static string KindName(DiffKind kind) => kind.ToString().ToLowerInvariant();

    private static string Marker(DiffKind kind) => kind switch
    {
        DiffKind.Added => "+",
        DiffKind.Removed => "−",
        DiffKind.Skipped => "⋯",
        _ => " ",
    };
}
