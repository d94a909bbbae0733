using System.Globalization;
using Google.Protobuf;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>
/// Records for the control plane on disk from moments after they were made until a report delivered them, so that
/// neither a control plane down for long nor a proxy killed outright loses them. Records are appended to an open
/// segment (<c>{name}.{kind}.open</c>, flushed to the operating system on every append); a report seals it
/// (<c>{written}-{sequence}-{count}.{kind}</c>) and sends the sealed segments oldest first, deleting each once
/// delivered. A proxy started on the same directory seals what the last one left open and sends it; a damaged tail
/// (the process died mid-write) loses only the record it cut. Bounded: past <see cref="MaxBytes"/> the oldest sealed
/// segments go, their records counted as lost in a log line. The control plane stores a record sent twice once.
/// </summary>
/// <remarks>One reporter drives a journal: its methods are not for concurrent callers.</remarks>
internal sealed partial class RecordJournal<T>
    where T : class, IMessage<T>
{
    private const string OpenSuffix = ".open";

    private readonly string _directory;
    private readonly string _extension;
    private readonly MessageParser<T> _parser;
    private readonly ILogger _logger;
    private FileStream? _open;
    private string? _openPath;
    private int _openCount;
    private long _sequence;

    /// <param name="kind">The segments' extension (<c>calls</c>, <c>usage</c>): journals of several kinds share a directory.</param>
    public RecordJournal(string directory, string kind, MessageParser<T> parser, long maxBytes, ILogger logger)
    {
        _directory = directory;
        _extension = "." + kind;
        _parser = parser;
        MaxBytes = maxBytes;
        _logger = logger;
        RecoverOpenSegments();
    }

    public long MaxBytes { get; }

    /// <summary>How many records the open segment holds (sealed when it reaches what a report carries).</summary>
    public int OpenCount => _openCount;

    /// <summary>
    /// Appends <paramref name="records"/> to the open segment and flushes them to the operating system. False when the
    /// disk refused (full, read-only, no such directory): logged, the segment closed, and the records the caller's to keep.
    /// </summary>
    public bool Append(IReadOnlyCollection<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return true;
        }

        try
        {
            if (_open is null)
            {
                Directory.CreateDirectory(_directory);
                _openPath = Path.Combine(_directory, string.Create(
                    CultureInfo.InvariantCulture, $"{DateTime.UtcNow.Ticks:D20}-{Interlocked.Increment(ref _sequence):D6}{_extension}{OpenSuffix}"));
                _open = new FileStream(_openPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            }

            var start = _open.Position;
            try
            {
                foreach (var record in records)
                {
                    record.WriteDelimitedTo(_open);
                }

                _open.Flush();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Nothing half-written stays: the segment ends where the batch began.
                _open.SetLength(start);
                throw;
            }

            _openCount += records.Count;
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _directory, exception.Message);
            Seal();
            return false;
        }
    }

    /// <summary>Seals the open segment (if it holds anything), then drops the oldest segments beyond the bound.</summary>
    public void Seal()
    {
        if (_open is null || _openPath is null)
        {
            return;
        }

        try
        {
            _open.Dispose();
            SealFile(_openPath, _openCount);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _directory, exception.Message);
        }
        finally
        {
            (_open, _openPath, _openCount) = (null, null, 0);
        }

        Trim();
    }

    /// <summary>The sealed segments, oldest first (none when the directory cannot be read).</summary>
    public IReadOnlyList<string> Segments()
    {
        try
        {
            return Directory.Exists(_directory) ? [.. Directory.EnumerateFiles(_directory, "*" + _extension).Order(StringComparer.Ordinal)] : [];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _directory, exception.Message);
            return [];
        }
    }

    /// <summary>The records of a segment; a damaged tail (a crash while writing) ends the list.</summary>
    public List<T> Read(string segment)
    {
        var records = new List<T>();
        using var stream = File.OpenRead(segment);
        try
        {
            while (stream.Position < stream.Length)
            {
                records.Add(_parser.ParseDelimitedFrom(stream));
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // What could be read is kept.
        }

        return records;
    }

    public static void Delete(string segment) => File.Delete(segment);

    /// <summary>Seals the segments a proxy before this one left open (it stopped, or died, before a report took them).</summary>
    private void RecoverOpenSegments()
    {
        try
        {
            if (!Directory.Exists(_directory))
            {
                return;
            }

            foreach (var open in Directory.EnumerateFiles(_directory, "*" + _extension + OpenSuffix).Order(StringComparer.Ordinal).ToList())
            {
                var count = Read(open).Count;
                if (count == 0)
                {
                    File.Delete(open);
                }
                else
                {
                    SealFile(open, count);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _directory, exception.Message);
        }
    }

    private void SealFile(string openPath, int count)
    {
        var name = Path.GetFileName(openPath);
        var stem = name[..name.IndexOf('.', StringComparison.Ordinal)];
        File.Move(openPath, Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{stem}-{count}{_extension}")));
    }

    private void Trim()
    {
        var segments = Segments().Select(path => new FileInfo(path)).ToList();
        var total = segments.Sum(file => file.Length);
        // Never the newest: the batch just sealed stays.
        foreach (var oldest in segments.Take(segments.Count - 1))
        {
            if (total <= MaxBytes)
            {
                break;
            }

            total -= oldest.Length;
            oldest.Delete();
            LogDropped(_logger, CountOf(oldest.Name), _extension[1..], MaxBytes);
        }
    }

    private static int CountOf(string name)
    {
        var parts = Path.GetFileNameWithoutExtension(name).Split('-');
        return parts.Length == 3 && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var count) ? count : 0;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The record journal at {Directory} cannot be used ({Reason}); records wait in memory")]
    private static partial void LogWriteFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The record journal passed {MaxBytes} bytes: its oldest {Count} {Kind} records were dropped")]
    private static partial void LogDropped(ILogger logger, int count, string kind, long maxBytes);
}
