namespace AgentGateway.Portal.Services;

/// <summary>The roles of a tenant's members, in rank order, and what AdminApi lets each of them change.</summary>
public static class TenantRoles
{
    public const string Viewer = "viewer";
    public const string Developer = "developer";
    public const string Admin = "admin";
    public const string Owner = "owner";

    public static IReadOnlyList<string> All { get; } = [Viewer, Developer, Admin, Owner];

    /// <summary>0 for no role, then 1 (viewer) to 4 (owner).</summary>
    public static int Rank(string? role) => role switch
    {
        Viewer => 1,
        Developer => 2,
        Admin => 3,
        Owner => 4,
        _ => 0,
    };
}
