using System.Text.Json;

namespace AgentGateway.Portal.Services;

public sealed record Me(string Username, string? Email, bool IsPlatformAdmin, IReadOnlyList<MyTenant> Tenants)
{
    /// <summary>The caller's role in <paramref name="tenant"/> (platform admins are owners of every tenant); null when not a member.</summary>
    public string? RoleIn(string tenant) => IsPlatformAdmin ? TenantRoles.Owner : Tenants.FirstOrDefault(candidate => candidate.Name == tenant)?.Role;

    /// <summary>Whether the caller's role in <paramref name="tenant"/> is <paramref name="minimum"/> or above.</summary>
    public bool Allows(string tenant, string minimum) => TenantRoles.Rank(RoleIn(tenant)) >= TenantRoles.Rank(minimum);
}

public sealed record MyTenant(string Name, string DisplayName, string Role);

public sealed record TenantInfo(string Name, string DisplayName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

public sealed record McpServerInfo(
    string Name, string? Description, string Transport, string Url, Dictionary<string, string> Headers,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version,
    string? Command = null, IReadOnlyList<string>? Args = null, IReadOnlyList<string>? EnvNames = null, string? WorkingDirectory = null);

public sealed record NewMcpServer(
    string Name, string? Description, string Transport, string? Url, Dictionary<string, string> Headers,
    string? Command = null, IReadOnlyList<string>? Args = null, Dictionary<string, string>? Env = null, string? WorkingDirectory = null);

public sealed record RouteInfo(
    string Name, string Path, IReadOnlyList<string> Targets, string PrefixMode, string Endpoint,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version, string FailureMode = "open", int? TargetTimeoutMs = null,
    string ToolPinning = "withhold");

public sealed record NewRoute(string Name, string? Path, IReadOnlyList<string> Targets, string PrefixMode, string? FailureMode = null, int? TargetTimeoutMs = null);

public sealed record RouteUpdate(string Path, IReadOnlyList<string> Targets, string PrefixMode, string FailureMode, int? TargetTimeoutMs, string ToolPinning);

public sealed record RouteTools(string Route, string Endpoint, IReadOnlyList<RouteTool> Tools, IReadOnlyList<TargetError> Errors);

public sealed record RouteTool(string Name, string Target, string? Title, string? Description, JsonElement InputSchema);

public sealed record TargetError(string Target, string Message);

public sealed record AuditEntryInfo(
    Guid Id, DateTimeOffset OccurredAt, string Actor, string Action, string EntityType, string EntityName,
    JsonElement? Before, JsonElement? After, string? RequestId);

public sealed record MemberInfo(string Username, string Role, DateTimeOffset CreatedAt);
