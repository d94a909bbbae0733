namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// The period of a usage or analytics query: <c>from</c> (default 7 days before <c>to</c>), <c>to</c> (default now),
/// cut in buckets of an hour or a day, at most <see cref="MaxBuckets"/>.
/// </summary>
internal sealed class UsagePeriod
{
    public const int MaxBuckets = 800;

    private readonly Dictionary<DateTimeOffset, int> _index;

    private UsagePeriod(DateTimeOffset from, DateTimeOffset to, string unit)
    {
        From = from;
        To = to;
        Unit = unit;
        var buckets = new List<DateTimeOffset>();
        for (var bucket = Truncate(from, unit); bucket < to; bucket = unit == "hour" ? bucket.AddHours(1) : bucket.AddDays(1))
        {
            buckets.Add(bucket);
        }

        Buckets = buckets;
        _index = buckets.Select((bucket, position) => (bucket, position)).ToDictionary(entry => entry.bucket, entry => entry.position);
    }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    /// <summary><c>hour</c> or <c>day</c>: Postgres's <c>date_trunc</c> unit.</summary>
    public string Unit { get; }

    /// <summary>The start of every bucket, in order.</summary>
    public IReadOnlyList<DateTimeOffset> Buckets { get; }

    /// <summary>The period asked for, or null with the reasons in <paramref name="errors"/>.</summary>
    public static UsagePeriod? Parse(DateTimeOffset? from, DateTimeOffset? to, string? interval, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var step = (interval ?? "day") switch
        {
            "day" => TimeSpan.FromDays(1),
            "hour" => TimeSpan.FromHours(1),
            _ => TimeSpan.Zero,
        };
        if (step == TimeSpan.Zero)
        {
            errors["interval"] = ["must be 'day' or 'hour'."];
        }

        var end = (to ?? now).ToUniversalTime();
        var start = (from ?? end.AddDays(-7)).ToUniversalTime();
        if (start >= end)
        {
            errors["from"] = ["must be before 'to'."];
        }
        else if (step > TimeSpan.Zero && (end - start) / step > MaxBuckets)
        {
            errors["from"] = [$"the period holds more than {MaxBuckets} buckets of an {interval ?? "day"}; shorten it or take a longer interval."];
        }

        return errors.Count > 0 ? null : new UsagePeriod(start, end, step == TimeSpan.FromHours(1) ? "hour" : "day");
    }

    /// <summary>The position of a bucket Postgres returned (a UTC time without zone), or null when outside the period.</summary>
    public int? IndexOf(DateTime bucket) =>
        _index.TryGetValue(new DateTimeOffset(DateTime.SpecifyKind(bucket, DateTimeKind.Utc)), out var position) ? position : null;

    private static DateTimeOffset Truncate(DateTimeOffset at, string unit) => unit == "hour"
        ? new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero)
        : new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero);
}
