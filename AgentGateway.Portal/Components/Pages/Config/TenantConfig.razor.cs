using System.Text.Json.Nodes;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Config;

/// <summary>
/// The tenant's config as code: the current document to read, download or copy, and a document to preview (a dry run
/// that says what would change, field by field) and then apply.
/// </summary>
public sealed partial class TenantConfig
{
    /// <summary>The largest document AdminApi takes.</summary>
    private const long MaxDocumentBytes = 4 * 1024 * 1024;

    private string? _exported;
    private string _document = string.Empty;
    private bool _prune;
    private bool _busy;
    private bool _canApply;
    private ConfigApplyResult? _preview;
    private AdminApiException? _error;
    private AdminApiException? _applyError;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private string DownloadHref => $"data:application/yaml;charset=utf-8,{Uri.EscapeDataString(_exported ?? string.Empty)}";

    private string Summary => _preview switch
    {
        { Changes.Count: 0 } => "No changes: the tenant already has this config.",
        { Applied: true } => $"Applied {_preview.Changes.Count} change(s) (config revision {_preview.Revision}).",
        _ => $"{_preview!.Changes.Count} change(s) to apply; nothing is written until you apply them.",
    };

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            var me = await Api.GetMeAsync();
            _canApply = me.Allows(Tenant, TenantRoles.Admin);
            _exported = await Api.ExportConfigAsync(Tenant);
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    private void EditCurrent() => DocumentChanged(_exported ?? string.Empty);

    /// <summary>A document from the user's machine, as large as AdminApi takes one.</summary>
    private async Task LoadFileAsync(IBrowserFile? file)
    {
        if (file is null)
        {
            return;
        }

        try
        {
            await using var stream = file.OpenReadStream(MaxDocumentBytes);
            using var reader = new StreamReader(stream);
            DocumentChanged(await reader.ReadToEndAsync());
        }
        catch (IOException exception)
        {
            Snackbar.Add($"'{file.Name}' could not be read: {exception.Message}", Severity.Error);
        }
    }

    /// <summary>A changed document must be previewed again before it is applied.</summary>
    private void DocumentChanged(string document)
    {
        _document = document;
        _preview = null;
        _applyError = null;
    }

    /// <summary>Pruning changes what applying does: it must be previewed again.</summary>
    private void PruneChanged(bool prune)
    {
        _prune = prune;
        _preview = null;
    }

    private async Task PreviewAsync() => await SendAsync(dryRun: true);

    private async Task ApplyAsync()
    {
        if (await SendAsync(dryRun: false) is { Applied: true } applied)
        {
            Snackbar.Add($"Applied {applied.Changes.Count} change(s).", Severity.Success);
            _exported = await Api.ExportConfigAsync(Tenant);
        }
    }

    private async Task<ConfigApplyResult?> SendAsync(bool dryRun)
    {
        _busy = true;
        try
        {
            _preview = await Api.ApplyConfigAsync(Tenant, _document, dryRun, _prune);
            _applyError = null;
            return _preview;
        }
        catch (AdminApiException exception)
        {
            _applyError = exception;
            _preview = null;
            return null;
        }
        finally
        {
            _busy = false;
        }
    }

    private static string IconOf(string action) => action switch
    {
        "create" => Icons.Material.Filled.AddCircleOutline,
        "delete" => Icons.Material.Filled.RemoveCircleOutline,
        _ => Icons.Material.Filled.Edit,
    };

    private static Color ColorOf(string action) => action switch
    {
        "create" => Color.Success,
        "delete" => Color.Error,
        _ => Color.Warning,
    };

    private static string Shown(JsonNode? value) => value switch
    {
        null => "(none)",
        JsonValue text when text.TryGetValue<string>(out var said) => said,
        _ => value.ToJsonString(),
    };
}
