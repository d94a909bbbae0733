using System.ComponentModel;
using System.Text;
using AgentGateway.Samples.Notes.Notes;
using ModelContextProtocol.Server;

namespace AgentGateway.Samples.Notes.Mcp;

/// <summary>Prompts of the "notes" server.</summary>
[McpServerPromptType]
internal sealed class NotePrompts(NoteStore store)
{
    [McpServerPrompt(Name = "summarize_notes"), Description("Asks the model to summarize all stored notes.")]
    public string SummarizeNotes()
    {
        var notes = store.List();
        if (notes.Count == 0)
        {
            return "There are no notes yet. Say so, and suggest using the add_note tool.";
        }

        var text = new StringBuilder("Summarize the following notes in a few bullet points:\n");
        foreach (var note in notes)
        {
            text.Append("\n## ").Append(note.Title).Append(" (id ").Append(note.Id).Append(")\n").Append(note.Content).Append('\n');
        }

        return text.ToString();
    }
}
