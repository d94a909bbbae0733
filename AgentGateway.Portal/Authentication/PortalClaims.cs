namespace AgentGateway.Portal.Authentication;

internal static class PortalClaims
{
    /// <summary>Identifies one sign-in; the key of the user's tokens in <see cref="UserTokenStore"/>.</summary>
    public const string Session = "portal_session";

    public const string PreferredUsername = "preferred_username";
}
