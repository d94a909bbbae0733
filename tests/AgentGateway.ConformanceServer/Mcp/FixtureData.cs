namespace AgentGateway.ConformanceServer.Mcp;

/// <summary>Binary payloads the conformance suite expects back verbatim.</summary>
internal static class FixtureData
{
    /// <summary>A 1x1 red PNG, Base64-encoded.</summary>
    public const string PngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    /// <summary>A minimal WAV file, Base64-encoded.</summary>
    public const string WavBase64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

    /// <summary>The logger name on every log notification the fixture sends.</summary>
    public const string LoggerName = "conformance-fixture";

    public static ReadOnlyMemory<byte> Png => System.Text.Encoding.ASCII.GetBytes(PngBase64);

    public static ReadOnlyMemory<byte> Wav => System.Text.Encoding.ASCII.GetBytes(WavBase64);
}
