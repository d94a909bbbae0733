namespace AgentGateway.AdminApi.Contracts;

public sealed record TenantResponse(string Name, string DisplayName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

public sealed record CreateTenantRequest(string? Name, string? DisplayName);

public sealed record UpdateTenantRequest(string? DisplayName);

public sealed record MemberResponse(string Username, string Role, DateTimeOffset CreatedAt);

public sealed record PutMemberRequest(string? Role);

public sealed record MeResponse(string Username, string? Email, bool IsPlatformAdmin, IReadOnlyList<MeTenantResponse> Tenants);

public sealed record MeTenantResponse(string Name, string DisplayName, string Role);
