using System.ComponentModel;
using AgentGateway.Samples.Notes.Notes;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace AgentGateway.Samples.Notes.Mcp;

/// <summary>Tools over the in-memory note store.</summary>
[McpServerToolType]
internal sealed class NoteTools(NoteStore store)
{
    [McpServerTool(Name = "add_note"), Description("Stores a new note and returns it with its id.")]
    public Note AddNote([Description("A short title.")] string title, [Description("The note's text.")] string content)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new McpException("The title must not be empty.");
        }

        return store.Add(title.Trim(), content);
    }

    [McpServerTool(Name = "list_notes", ReadOnly = true), Description("Lists all notes, oldest first.")]
    public IReadOnlyList<Note> ListNotes() => store.List();

    [McpServerTool(Name = "get_note", ReadOnly = true), Description("Returns the note with the given id.")]
    public Note GetNote([Description("The note's id.")] string id) =>
        store.Get(id) ?? throw new McpException($"Note '{id}' does not exist.");

    [McpServerTool(Name = "search_notes", ReadOnly = true), Description("Finds notes whose title or text contains the query (case-insensitive).")]
    public IReadOnlyList<Note> SearchNotes([Description("The text to look for.")] string query) => store.Search(query);

    [McpServerTool(Name = "delete_note", Destructive = true, Idempotent = true), Description("Deletes the note with the given id.")]
    public string DeleteNote([Description("The note's id.")] string id) =>
        store.Delete(id) ? $"Deleted note '{id}'." : throw new McpException($"Note '{id}' does not exist.");
}
