namespace AgentGateway.Contracts;

/// <summary>
/// One thing wrong with a piece of configuration: the path of the field at fault (e.g.
/// <c>policies.jwtAuth.providers[0].issuer</c>) and what is wrong with it. The REST API turns these into a 400 with
/// the field named; the proxy into a NACK or a file error.
/// </summary>
public sealed record ConfigError(string Field, string Message)
{
    public override string ToString() => Field.Length == 0 ? Message : $"{Field}: {Message}";
}
