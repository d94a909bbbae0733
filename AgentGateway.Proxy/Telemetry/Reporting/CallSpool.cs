using System.Globalization;
using AgentGateway.Contracts.V1;
using Google.Protobuf;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>
/// Call records a report could not deliver, on disk until one can: one file (segment) per undelivered batch, named
/// by when it was written and how many records it holds, sent oldest first. The spool is bounded: past
/// <see cref="MaxBytes"/> the oldest segments go (their records counted as lost in a log line). A restarted proxy with
/// the same directory sends what the last one left.
/// </summary>
internal sealed partial class CallSpool
{
    private const string Extension = ".calls";

    private readonly string _directory;
    private readonly ILogger _logger;
    private long _sequence;

    public CallSpool(string directory, long maxBytes, ILogger logger)
    {
        _directory = directory;
        MaxBytes = maxBytes;
        _logger = logger;
    }

    public long MaxBytes { get; }

    /// <summary>
    /// Writes <paramref name="records"/> as one segment, then drops the oldest segments beyond the bound. False when the
    /// disk refused (full, read-only, no such directory): logged, and the records are the caller's to keep.
    /// </summary>
    public bool Write(IReadOnlyCollection<CallRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return true;
        }

        try
        {
            WriteSegment(records);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _directory, exception.Message);
            return false;
        }
    }

    private void WriteSegment(IReadOnlyCollection<CallRecord> records)
    {
        Directory.CreateDirectory(_directory);
        var name = string.Create(
            CultureInfo.InvariantCulture, $"{DateTime.UtcNow.Ticks:D20}-{Interlocked.Increment(ref _sequence):D6}-{records.Count}{Extension}");
        var path = Path.Combine(_directory, name);
        using (var stream = new FileStream(path + ".partial", FileMode.CreateNew, FileAccess.Write))
        {
            foreach (var record in records)
            {
                record.WriteDelimitedTo(stream);
            }
        }

        // Whole or not at all: a segment is visible only once written.
        File.Move(path + ".partial", path);
        Trim();
    }

    /// <summary>The segments, oldest first (none when the directory cannot be read).</summary>
    public IReadOnlyList<string> Segments()
    {
        try
        {
            return Directory.Exists(_directory) ? [.. Directory.EnumerateFiles(_directory, "*" + Extension).Order(StringComparer.Ordinal)] : [];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _directory, exception.Message);
            return [];
        }
    }

    /// <summary>The records of a segment; a damaged tail (a crash while writing) ends the list.</summary>
    public static List<CallRecord> Read(string segment)
    {
        var records = new List<CallRecord>();
        using var stream = File.OpenRead(segment);
        try
        {
            while (stream.Position < stream.Length)
            {
                records.Add(CallRecord.Parser.ParseDelimitedFrom(stream));
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // What could be read is kept.
        }

        return records;
    }

    public static void Delete(string segment) => File.Delete(segment);

    private void Trim()
    {
        var segments = Segments().Select(path => new FileInfo(path)).ToList();
        var total = segments.Sum(file => file.Length);
        // Never the newest: the batch just written stays.
        foreach (var oldest in segments.Take(segments.Count - 1))
        {
            if (total <= MaxBytes)
            {
                break;
            }

            total -= oldest.Length;
            oldest.Delete();
            LogDropped(_logger, CountOf(oldest.Name), MaxBytes);
        }
    }

    private static int CountOf(string name)
    {
        var parts = Path.GetFileNameWithoutExtension(name).Split('-');
        return parts.Length == 3 && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var count) ? count : 0;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The call record spool at {Directory} cannot be used ({Reason}); records wait in memory")]
    private static partial void LogWriteFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The call record spool passed {MaxBytes} bytes: its oldest {Count} records were dropped")]
    private static partial void LogDropped(ILogger logger, int count, long maxBytes);
}
