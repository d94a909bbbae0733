using System.Collections.Concurrent;

namespace AgentGateway.Portal.Authentication;

/// <summary>
/// The signed-in users' tokens, by Portal session. Interactive components run outside any HTTP request, so they
/// cannot read the tokens kept in the auth cookie; each page load copies them here, and refreshes land here too.
/// </summary>
internal sealed class UserTokenStore
{
    private readonly ConcurrentDictionary<string, UserTokens> _tokens = new(StringComparer.Ordinal);

    public bool TryGet(string session, out UserTokens tokens) => _tokens.TryGetValue(session, out tokens!);

    /// <summary>Keeps whichever of the stored and the offered tokens lives longer.</summary>
    public void Offer(string session, UserTokens tokens) =>
        _tokens.AddOrUpdate(session, tokens, (_, existing) => existing.ExpiresAt >= tokens.ExpiresAt ? existing : tokens);

    public void Set(string session, UserTokens tokens) => _tokens[session] = tokens;

    public void Remove(string session) => _tokens.TryRemove(session, out _);
}

internal sealed record UserTokens(string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt);
