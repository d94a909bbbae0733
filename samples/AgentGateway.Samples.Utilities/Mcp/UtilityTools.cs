using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace AgentGateway.Samples.Utilities.Mcp;

/// <summary>Small, deterministic tools that are handy for trying out a gateway.</summary>
[McpServerToolType]
internal sealed class UtilityTools(TimeProvider timeProvider)
{
    [McpServerTool(Name = "echo", ReadOnly = true, Idempotent = true), Description("Returns the message unchanged.")]
    public static string Echo([Description("The text to echo back.")] string message) => message;

    [McpServerTool(Name = "add", ReadOnly = true, Idempotent = true), Description("Adds two numbers.")]
    public static double Add([Description("The first addend.")] double a, [Description("The second addend.")] double b) => a + b;

    [McpServerTool(Name = "wait", ReadOnly = true), Description("Waits the given number of seconds (at most 300), then says so; stops early when the call is cancelled.")]
    public static async Task<string> Wait(
        [Description("How long to wait, in seconds.")] int seconds, ILogger<UtilityTools> logger, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 300)), cancellationToken);
            return $"Waited {seconds} s.";
        }
        catch (OperationCanceledException)
        {
            UtilityLog.WaitCancelled(logger, seconds);
            throw;
        }
    }

    [McpServerTool(Name = "uuid", ReadOnly = true), Description("Generates a random version 4 UUID.")]
    public static string Uuid() => Guid.NewGuid().ToString();

    [McpServerTool(Name = "sha256", ReadOnly = true, Idempotent = true), Description("Computes the SHA-256 hash of the UTF-8 text, as lower-case hex.")]
    public static string Sha256([Description("The text to hash.")] string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [McpServerTool(Name = "base64_encode", ReadOnly = true, Idempotent = true), Description("Encodes UTF-8 text as Base64.")]
    public static string Base64Encode([Description("The text to encode.")] string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [McpServerTool(Name = "base64_decode", ReadOnly = true, Idempotent = true), Description("Decodes Base64 into UTF-8 text.")]
    public static string Base64Decode([Description("The Base64 text to decode.")] string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new McpException("The input is not valid Base64.");
        }
    }

    /// <summary>An MCP App: its text answer, and a view (<see cref="UtilityResources.ClockViewUri"/>) hosts that show apps render.</summary>
    [McpServerTool(Name = "clock", ReadOnly = true), McpMeta("ui", JsonValue = """{"resourceUri":"ui://utils/clock"}""")]
    [Description("Shows the current time (UTC); hosts that render MCP Apps show it in a small clock view.")]
    public string Clock() => timeProvider.GetUtcNow().ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    [McpServerTool(Name = "now", ReadOnly = true), Description("Returns the current time as ISO 8601, in UTC or in the given IANA time zone.")]
    public string Now([Description("An IANA time zone such as 'Europe/Berlin'; UTC when omitted.")] string? timeZone = null)
    {
        var utcNow = timeProvider.GetUtcNow();
        if (string.IsNullOrWhiteSpace(timeZone))
        {
            return utcNow.ToString("O", CultureInfo.InvariantCulture);
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            throw new McpException($"Unknown time zone '{timeZone}'.");
        }

        return TimeZoneInfo.ConvertTime(utcNow, zone).ToString("O", CultureInfo.InvariantCulture);
    }
}

internal static partial class UtilityLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "wait cancelled by the caller ({Seconds} s asked)")]
    public static partial void WaitCancelled(ILogger logger, int seconds);
}
