namespace AgentGateway.Proxy.Config.File;

/// <summary>The standalone config file cannot be used; the message says where and why.</summary>
internal sealed class GatewayFileException(string message, Exception? innerException = null)
    : Exception(message, innerException);
