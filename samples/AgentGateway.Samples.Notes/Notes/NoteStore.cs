using System.Collections.Concurrent;
using System.Globalization;

namespace AgentGateway.Samples.Notes.Notes;

/// <summary>Thread-safe in-memory notes; ids are increasing numbers. Contents live as long as the process.</summary>
internal sealed class NoteStore(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Note> _notes = new(StringComparer.Ordinal);
    private long _lastId;

    public Note Add(string title, string content)
    {
        var id = Interlocked.Increment(ref _lastId).ToString(CultureInfo.InvariantCulture);
        var note = new Note(id, title, content, timeProvider.GetUtcNow());
        _notes[id] = note;
        return note;
    }

    public IReadOnlyList<Note> List() =>
        [.. _notes.Values.OrderBy(n => long.Parse(n.Id, CultureInfo.InvariantCulture))];

    public Note? Get(string id) => _notes.GetValueOrDefault(id);

    public IReadOnlyList<Note> Search(string query) =>
        [.. List().Where(n =>
            n.Title.Contains(query, StringComparison.OrdinalIgnoreCase)
            || n.Content.Contains(query, StringComparison.OrdinalIgnoreCase))];

    public bool Delete(string id) => _notes.TryRemove(id, out _);
}
