using System.Security.Claims;

namespace AgentGateway.AdminApi.Authorization;

/// <summary>Who is calling, as far as AdminApi's authorization is concerned.</summary>
internal sealed record Caller(string Username, string? Email, bool IsPlatformAdmin)
{
    public static Caller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var username = user.FindFirstValue(IdentityClaims.PreferredUsername) ?? user.FindFirstValue("sub") ?? string.Empty;
        return new Caller(username, user.FindFirstValue("email"), user.IsInRole(IdentityClaims.PlatformAdminRole));
    }
}
