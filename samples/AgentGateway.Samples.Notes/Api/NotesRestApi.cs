using AgentGateway.Samples.Notes.Notes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentGateway.Samples.Notes.Api;

/// <summary>
/// The same notes as a plain REST API with an OpenAPI document (<c>/openapi/v1.json</c>), for gateways that turn
/// OpenAPI operations into MCP tools.
/// </summary>
internal static class NotesRestApi
{
    public static IEndpointRouteBuilder MapNotesRestApi(this IEndpointRouteBuilder endpoints)
    {
        var notes = endpoints.MapGroup("/api/notes").WithTags("Notes");
        notes.MapGet("", (NoteStore store, string? query) => TypedResults.Ok(query is null ? store.List() : store.Search(query)))
            .WithName("listNotes").WithSummary("Lists the notes, or those whose title or content contains the query");
        notes.MapPost("", (NoteStore store, NewNote note) =>
            {
                var created = store.Add(note.Title, note.Content);
                return TypedResults.Created($"/api/notes/{created.Id}", created);
            })
            .WithName("createNote").WithSummary("Adds a note");
        notes.MapGet("/{id}", Results<Ok<Note>, NotFound> (NoteStore store, string id) =>
                store.Get(id) is { } note ? TypedResults.Ok(note) : TypedResults.NotFound())
            .WithName("getNote").WithSummary("Reads one note");
        notes.MapDelete("/{id}", Results<NoContent, NotFound> (NoteStore store, string id) =>
                store.Delete(id) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("deleteNote").WithSummary("Deletes one note");
        return endpoints;
    }

    /// <param name="Title">The note's title.</param>
    /// <param name="Content">The note's text.</param>
    internal sealed record NewNote(string Title, string Content);
}
