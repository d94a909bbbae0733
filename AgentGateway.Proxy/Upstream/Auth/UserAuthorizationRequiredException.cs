namespace AgentGateway.Proxy.Upstream.Auth;

/// <summary>
/// The backend acts as each user, and this caller has not authorized it yet: MCP answers with a URL elicitation error
/// naming <see cref="ConnectUrl"/>, where the user does.
/// </summary>
internal sealed class UserAuthorizationRequiredException(string connection, string? connectUrl)
    : BackendAuthException(connectUrl is null
        ? $"the backend acts as each user, and you have not authorized it ({connection}): connect it for yourself in the Portal"
        : $"the backend acts as each user, and you have not authorized it ({connection}): open {connectUrl} to do so, then try again")
{
    public string Connection { get; } = connection;

    public string? ConnectUrl { get; } = connectUrl;

    /// <summary>The first of these in <paramref name="exception"/>'s chain of causes.</summary>
    public static UserAuthorizationRequiredException? In(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is UserAuthorizationRequiredException required)
            {
                return required;
            }
        }

        return null;
    }
}
