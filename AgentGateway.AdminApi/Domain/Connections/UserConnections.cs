using AgentGateway.AdminApi.Data;
using AgentGateway.Contracts.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Connections;

/// <summary>What happens to users' connections when the policy they authorized changes or goes.</summary>
internal static class UserConnections
{
    /// <summary>
    /// Whether a policy's new spec no longer takes the tokens users authorized under the old one: it is no longer user
    /// OAuth, or names another token endpoint or client.
    /// </summary>
    public static bool OfAnotherServer(IMessage? before, IMessage after) =>
        before is BackendAuth { UserOauth: { } old }
        && (after is not BackendAuth { UserOauth: { } current } || current.TokenUrl != old.TokenUrl || current.ClientId != old.ClientId);

    /// <summary>Marks the connections of a tenant's policy for deletion with the caller's next save.</summary>
    public static async Task ForgetAsync(AdminDbContext db, Guid tenantId, string policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.UserConnections.RemoveRange(await db.UserConnections.Where(connection => connection.TenantId == tenantId && connection.Policy == policy).ToListAsync(cancellationToken));
    }
}
