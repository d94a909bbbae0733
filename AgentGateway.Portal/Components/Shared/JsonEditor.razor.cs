using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;

namespace AgentGateway.Portal.Components.Shared;

public sealed partial class JsonEditor
{
    /// <summary>How the Portal writes JSON for people: indented, and without escaping what needs no escaping.</summary>
    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private string? _syntaxError;

    [Parameter]
    public string Value { get; set; } = string.Empty;

    [Parameter]
    public EventCallback<string> ValueChanged { get; set; }

    [Parameter]
    public string Label { get; set; } = "JSON";

    [Parameter]
    public string? HelperText { get; set; }

    [Parameter]
    public int Lines { get; set; } = 14;

    [Parameter]
    public bool ReadOnly { get; set; }

    /// <summary>The document must be a JSON object (not an array or a scalar).</summary>
    [Parameter]
    public bool RequireObject { get; set; } = true;

    /// <summary>AdminApi's errors for the fields of this document, keyed by the field's path (<c>spec.providers[0].issuer</c>).</summary>
    [Parameter]
    public IReadOnlyList<KeyValuePair<string, string[]>> FieldErrors { get; set; } = [];

    [Parameter]
    public string TestId { get; set; } = "json-editor";

    /// <summary>Why <paramref name="text"/> is not a JSON document (or not an object when one is needed), with where; null when it is fine.</summary>
    public static string? SyntaxError(string? text, bool requireObject)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "is empty: write a JSON document, e.g. {}";
        }

        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            return requireObject && node is not JsonObject ? "must be a JSON object: { ... }" : null;
        }
        catch (JsonException exception)
        {
            var where = exception.LineNumber is { } line ? $"at line {line + 1}, column {exception.BytePositionInLine + 1}: " : string.Empty;
            return where + FirstSentence(exception.Message);
        }
    }

    /// <summary><paramref name="text"/> indented, or unchanged when it is not JSON.</summary>
    public static string Format(string text)
    {
        try
        {
            return JsonNode.Parse(text)?.ToJsonString(Indented) ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    protected override void OnParametersSet() => _syntaxError = SyntaxError(Value, RequireObject);

    private async Task OnChangedAsync(string? text)
    {
        Value = text ?? string.Empty;
        _syntaxError = SyntaxError(Value, RequireObject);
        await ValueChanged.InvokeAsync(Value);
    }

    private Task FormatAsync() => OnChangedAsync(Format(Value));

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends "[Path: $ |] LineNumber: 0 | BytePositionInLine: 5." to its messages; the position is said already.
        foreach (var marker in new[] { " Path: ", " LineNumber: " })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message;
    }
}
