namespace AgentGateway.Samples.Notes.Notes;

/// <summary>A note of the in-memory store.</summary>
internal sealed record Note(string Id, string Title, string Content, DateTimeOffset CreatedAt);
