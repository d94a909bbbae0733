namespace AgentGateway.Proxy.Upstream.Auth;

/// <summary>The gateway could not obtain the credentials a backend's auth calls for (a token endpoint refused, ...).</summary>
internal class BackendAuthException(string message, Exception? innerException = null) : HttpRequestException(message, innerException);
