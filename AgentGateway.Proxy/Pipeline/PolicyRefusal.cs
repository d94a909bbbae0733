namespace AgentGateway.Proxy.Pipeline;

/// <summary>Why a route's policies refuse a request: the HTTP status, a message, and headers for the answer (a challenge).</summary>
internal sealed record PolicyRefusal(int StatusCode, string Message, IReadOnlyList<KeyValuePair<string, string>> Headers);
