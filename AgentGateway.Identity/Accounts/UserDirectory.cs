using System.Security.Cryptography;
using System.Text;
using AgentGateway.Identity.Configuration;
using Microsoft.Extensions.Options;

namespace AgentGateway.Identity.Accounts;

/// <summary>The realm's users, as configured in <c>Identity:Users</c>.</summary>
internal sealed class UserDirectory(IOptionsMonitor<IdentityServerOptions> options)
{
    public IdentityUserOptions? Find(string? username) =>
        string.IsNullOrEmpty(username)
            ? null
            : options.CurrentValue.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase));

    /// <summary>Returns the user when the password matches (compared in constant time), else null.</summary>
    public IdentityUserOptions? Authenticate(string? username, string? password)
    {
        var user = Find(username);
        if (user is null || password is null)
        {
            return null;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(user.Password));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? user : null;
    }

    public IdentityClientOptions? FindClient(string? clientId) =>
        options.CurrentValue.Clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
}
