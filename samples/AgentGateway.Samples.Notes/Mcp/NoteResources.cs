using System.ComponentModel;
using System.Text.Json;
using AgentGateway.Samples.Notes.Notes;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace AgentGateway.Samples.Notes.Mcp;

/// <summary>Resources of the "notes" server: every note as JSON, and one note by id.</summary>
[McpServerResourceType]
internal sealed class NoteResources(NoteStore store)
{
    public const string AllUri = "notes://all";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    [McpServerResource(UriTemplate = AllUri, Name = "all_notes", MimeType = "application/json"), Description("All notes as a JSON array.")]
    public string AllNotes() => JsonSerializer.Serialize(store.List(), s_json);

    [McpServerResource(UriTemplate = "notes://{id}", Name = "note", MimeType = "text/markdown"), Description("One note, as Markdown.")]
    public string NoteById([Description("The note's id.")] string id)
    {
        var note = store.Get(id) ?? throw new McpException($"Note '{id}' does not exist.");
        return $"# {note.Title}\n\n{note.Content}\n";
    }
}
