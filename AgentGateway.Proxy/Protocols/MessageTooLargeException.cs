namespace AgentGateway.Proxy.Protocols;

/// <summary>An answer or a document was larger than the proxy reads whole; what it was is in the message.</summary>
internal sealed class MessageTooLargeException(string message) : IOException(message);
