using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// The headers of a rate-limit decision: <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c> and <c>RateLimit-Reset</c>
/// (seconds until the bucket is full again) of the IETF RateLimit header fields draft for the tightest limit, and
/// <c>Retry-After</c> (seconds) on a refusal.
/// </summary>
internal static class RateLimitHeaders
{
    public const string Limit = "RateLimit-Limit";
    public const string Remaining = "RateLimit-Remaining";
    public const string Reset = "RateLimit-Reset";

    /// <summary>The headers of <paramref name="decision"/>, the limiter's own first, then those a rate-limit service asked for.</summary>
    public static List<KeyValuePair<string, string>> For(RateLimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var headers = new List<KeyValuePair<string, string>>(4);
        var extra = decision.ResponseHeaders ?? [];
        if (decision.Tightest is { } state && !Contains(extra, Limit))
        {
            headers.Add(new(Limit, state.Limit.ToString(CultureInfo.InvariantCulture)));
            headers.Add(new(Remaining, Math.Max(0, state.Remaining).ToString(CultureInfo.InvariantCulture)));
            headers.Add(new(Reset, Seconds(state.ResetMs, atLeastOne: false)));
        }

        if (!decision.Allowed && !Contains(extra, HeaderNames.RetryAfter))
        {
            headers.Add(new(HeaderNames.RetryAfter, Seconds(decision.Tightest?.RetryAfterMs ?? 1000, atLeastOne: true)));
        }

        headers.AddRange(extra);
        return headers;
    }

    /// <summary>Adds the RateLimit-* headers of an allowed request to its answer.</summary>
    public static void Apply(HttpResponse response, RateLimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(response);
        foreach (var (name, value) in For(decision))
        {
            response.Headers[name] = value;
        }
    }

    private static string Seconds(long milliseconds, bool atLeastOne)
    {
        var seconds = (milliseconds + 999) / 1000;
        return Math.Max(atLeastOne ? 1 : 0, seconds).ToString(CultureInfo.InvariantCulture);
    }

    private static bool Contains(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
