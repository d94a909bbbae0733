namespace AgentGateway.Proxy.Upstream.Auth;

/// <summary>Where the gateway gets end users' own tokens for backends with user OAuth: the control plane's token vault.</summary>
internal interface IUserTokenSource
{
    /// <summary>The user's access token for the connection; null when they have not authorized it.</summary>
    ValueTask<string?> GetAsync(string tenant, string connection, string subject, CancellationToken cancellationToken);
}
