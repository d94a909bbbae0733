using System.Globalization;

namespace AgentGateway.Portal.Components.Shared;

/// <summary>Times as the Portal's filters take them: a <c>datetime-local</c> input read as UTC.</summary>
public static class UtcTime
{
    /// <summary>The format of a <c>datetime-local</c> input's value.</summary>
    public const string InputFormat = "yyyy-MM-ddTHH:mm";

    /// <summary>The UTC time of an input's value (<c>2026-05-01T13:30</c>, seconds allowed), or null when empty or unreadable.</summary>
    public static DateTimeOffset? Parse(string? text) =>
        DateTime.TryParseExact(text?.Trim(), [InputFormat, "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))
            : null;

    /// <summary>A time as the input shows it.</summary>
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString(InputFormat, CultureInfo.InvariantCulture);
}
