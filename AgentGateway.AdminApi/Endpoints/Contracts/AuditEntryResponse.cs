namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>One change in the audit log.</summary>
public sealed record AuditEntryResponse(
    Guid Id,
    DateTimeOffset OccurredAt,
    string Actor,
    string Action,
    string EntityType,
    string EntityName,
    System.Text.Json.Nodes.JsonObject? Before,
    System.Text.Json.Nodes.JsonObject? After,
    string? RequestId);
