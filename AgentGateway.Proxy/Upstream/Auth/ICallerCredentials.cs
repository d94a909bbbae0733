namespace AgentGateway.Proxy.Upstream.Auth;

/// <summary>
/// What the gateway may present upstream on a caller's behalf: the client's own Authorization header (for passthrough),
/// its validated bearer token (for token exchange), who it is (for its own kept tokens), and headers policies asked to send along.
/// </summary>
internal interface ICallerCredentials
{
    /// <summary>Who the caller is (<c>jwt:{issuer}|{sub}</c>, <c>apikey:{id}</c>), for tokens kept per user; null when anonymous.</summary>
    string? Subject { get; }

    /// <summary>The client's own Authorization header, as sent.</summary>
    string? Authorization { get; }

    /// <summary>The validated bearer token.</summary>
    string? BearerToken { get; }

    /// <summary>Headers to send on every request made upstream for this caller's request.</summary>
    IReadOnlyList<KeyValuePair<string, string>> UpstreamHeaders { get; }
}
