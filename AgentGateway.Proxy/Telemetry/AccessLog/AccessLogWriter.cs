using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Telemetry.AccessLog;

/// <summary>
/// The access log (<see cref="AccessLogOptions"/>): a request's line is taken when it ends and queued (no lock, no
/// signal); one background loop, on a thread of its own, takes the queue every few milliseconds and writes it, formatted
/// straight to UTF-8, in one write a batch, so a request never waits on the log. A full queue drops lines (counted in
/// <c>agentgateway.accesslog.dropped</c>) rather than hold requests or memory.
/// </summary>
internal sealed partial class AccessLogWriter : BackgroundService
{
    private const string Redacted = "[redacted]";

    private static readonly string[] s_secretParameters = ["token", "key", "secret", "password", "passwd", "sig", "session", "auth", "code", "credential"];
    private static readonly TimeSpan s_pause = TimeSpan.FromMilliseconds(20);

    private readonly AccessLogOptions _options;
    private readonly ConcurrentQueue<GatewayRequestRecord> _queue = new();
    /// <summary>The fields written, in order: their index in <see cref="AccessLogFields.Ordered"/> and their name encoded once.</summary>
    private readonly (AccessLogField Field, JsonEncodedText Name)[] _fields;
    private readonly bool _countBytes;
    private readonly Counter<long> _dropped;
    private readonly TimeProvider _time;
    private readonly ILogger<AccessLogWriter> _logger;
    private int _queued;
    /// <summary>The log's file, opened as the service starts; null when the log goes to standard output.</summary>
    private FileStream? _file;

    public AccessLogWriter(IOptions<TelemetryOptions> options, GatewayMetrics metrics, TimeProvider time, ILogger<AccessLogWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _options = options.Value.AccessLog;
        _time = time;
        _logger = logger;
        var chosen = _options.Fields.Count == 0 ? AccessLogFields.All : new HashSet<string>(_options.Fields, StringComparer.Ordinal);
        _fields = [.. Enum.GetValues<AccessLogField>().Where(field => chosen.Contains(AccessLogFields.Ordered[(int)field]))
            .Select(field => (field, JsonEncodedText.Encode(AccessLogFields.Ordered[(int)field])))];
        _countBytes = chosen.Contains(AccessLogFields.BytesSent);
        _dropped = metrics.Meter.CreateCounter<long>("agentgateway.accesslog.dropped", "{line}", "Access log lines dropped because the writer fell behind.");
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Serves <paramref name="context"/> with <paramref name="next"/> and queues its line when it ends.</summary>
    public async Task LogAsync(HttpContext context, Func<HttpContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var record = new GatewayRequestRecord { Time = _time.GetUtcNow(), CountsSent = _countBytes };
        var started = Stopwatch.GetTimestamp();
        context.Features.Set(record);
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            Complete(context, record, started, failed);
        }
    }

    /// <param name="failed">Whether serving the request threw: unanswered, the server answers it 500.</param>
    private void Complete(HttpContext context, GatewayRequestRecord record, long started, bool failed)
    {
        var response = context.Response;
        var status = response.HasStarted ? response.StatusCode
            : context.RequestAborted.IsCancellationRequested ? 499
            : failed ? StatusCodes.Status500InternalServerError
            : response.StatusCode;
        if (!Sampled(status))
        {
            return;
        }

        if (Interlocked.Increment(ref _queued) > _options.BufferSize)
        {
            Interlocked.Decrement(ref _queued);
            _dropped.Add(1);
            return;
        }

        var request = context.Request;
        record.TraceId = Activity.Current?.TraceId.ToHexString();
        record.Method = request.Method;
        record.Path = _options.IncludeQuery && request.QueryString.HasValue ? request.Path.Value + RedactQuery(request.QueryString.Value!) : request.Path.Value ?? "/";
        record.Status = status;
        record.DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        record.BytesReceived = request.ContentLength;
        record.BytesSent = record.Sent?.Written ?? (HttpMethods.IsHead(request.Method) ? 0 : response.ContentLength) ?? 0;
        record.ClientAddress = context.Connection.RemoteIpAddress;
        record.UserAgent = request.Headers.UserAgent;
        _queue.Enqueue(record);
    }

    private bool Sampled(int status) =>
        (_options.ErrorsAlways && status >= 400) || _options.SampleRate >= 1 || (_options.SampleRate > 0 && Random.Shared.NextDouble() < _options.SampleRate);

    /// <summary>The query string with the values of parameters whose names suggest a secret replaced.</summary>
    internal static string RedactQuery(string query)
    {
        var parts = query.TrimStart('?').Split('&');
        for (var index = 0; index < parts.Length; index++)
        {
            var equals = parts[index].IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? parts[index] : parts[index][..equals]).ToLowerInvariant();
            if (equals >= 0 && s_secretParameters.Any(secret => name.Contains(secret, StringComparison.Ordinal)))
            {
                parts[index] = parts[index][..(equals + 1)] + Redacted;
            }
        }

        return "?" + string.Join('&', parts);
    }

    /// <summary>
    /// Opens the log's file before the host reports started: a file the proxy may not write stops it there, and the
    /// host's start fails with the reason (<see cref="BackgroundService"/> runs <see cref="ExecuteAsync"/> after the host
    /// has started, where a failure stops the host with exit code 0).
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled && _options.Path != AccessLogOptions.StandardOutput)
        {
            LogWritingTo(_logger, _options.Path);
            _file = new FileStream(_options.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <summary>Closes the file too when the writer's thread never took it (the host failed to start after it).</summary>
    public override void Dispose()
    {
        _file?.Dispose();
        base.Dispose();
    }

    /// <remarks>
    /// The loop has a thread of its own and writes synchronously: on the thread pool, each batch's timer, write and
    /// flush woke pool threads (about a thousand times a second at 3,000 lines a second), which then spun on the cores the
    /// requests need. Should it fail, the proxy stops with exit code 1: a process that logs nothing more must not look
    /// like one stopped on purpose.
    /// </remarks>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return Task.CompletedTask;
        }

        var toStandardOutput = _file is null;
        var output = _file ?? Console.OpenStandardOutput();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using (output)
                {
                    Run(output, toStandardOutput, stoppingToken);
                }

                stopped.SetResult();
            }
            catch (Exception exception)
            {
                Environment.ExitCode = 1;
                stopped.SetException(exception);
            }
        })
        { IsBackground = true, Name = "Access log writer" };
        thread.Start();
        return stopped.Task;
    }

    private void Run(Stream output, bool toStandardOutput, CancellationToken stoppingToken)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        // Names are encoded once; values are escaped only where JSON requires it (the log is not HTML).
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!WriteQueued(output, buffer, json, toStandardOutput))
            {
                // Returns at once when the service stops: what is queued then is written below.
                stoppingToken.WaitHandle.WaitOne(s_pause);
            }
        }

        WriteQueued(output, buffer, json, toStandardOutput);
    }

    /// <summary>Writes what is queued, in writes of about 64 KiB; false when nothing was.</summary>
    private bool WriteQueued(Stream output, ArrayBufferWriter<byte> buffer, Utf8JsonWriter json, bool toStandardOutput)
    {
        var wrote = false;
        while (_queue.TryDequeue(out var record))
        {
            Interlocked.Decrement(ref _queued);
            Format(record, json);
            buffer.Write("\n"u8);
            wrote = true;
            if (buffer.WrittenCount >= 60 * 1024)
            {
                Flush(output, buffer, toStandardOutput);
            }
        }

        if (buffer.WrittenCount > 0)
        {
            Flush(output, buffer, toStandardOutput);
        }

        return wrote;
    }

    private void Flush(Stream output, ArrayBufferWriter<byte> buffer, bool toStandardOutput)
    {
        try
        {
            // The console logger writes to standard output under the lock of Console.Out: whole lines never interleave.
            // A file is this loop's alone.
            lock (toStandardOutput ? Console.Out : (object)output)
            {
                output.Write(buffer.WrittenSpan);
                output.Flush();
            }
        }
        catch (IOException exception)
        {
            // A full disk or a closed pipe costs lines, counted, never the proxy.
            var lines = buffer.WrittenSpan.Count((byte)'\n');
            _dropped.Add(lines);
            LogWriteFailed(_logger, lines, exception.Message);
        }

        buffer.ResetWrittenCount();
    }

    private void Format(GatewayRequestRecord record, Utf8JsonWriter json)
    {
        json.Reset();
        json.WriteStartObject();
        foreach (var (field, name) in _fields)
        {
            switch (field)
            {
                case AccessLogField.Time: json.WriteString(name, record.Time); break;
                case AccessLogField.TraceId: WriteOptional(json, name, record.TraceId); break;
                case AccessLogField.Tenant: WriteOptional(json, name, record.Tenant); break;
                case AccessLogField.Route: WriteOptional(json, name, record.Route); break;
                case AccessLogField.Kind: WriteOptional(json, name, record.Kind); break;
                case AccessLogField.Method: json.WriteString(name, record.Method); break;
                case AccessLogField.Path: json.WriteString(name, record.Path); break;
                case AccessLogField.Status: json.WriteNumber(name, record.Status); break;
                case AccessLogField.DurationMs: json.WriteNumber(name, Math.Round(record.DurationMs, 3)); break;
                case AccessLogField.BytesReceived when record.BytesReceived is { } received: json.WriteNumber(name, received); break;
                case AccessLogField.BytesSent: json.WriteNumber(name, record.BytesSent); break;
                case AccessLogField.Caller: WriteOptional(json, name, record.Caller); break;
                case AccessLogField.ClientAddress: WriteAddress(json, name, record.ClientAddress); break;
                case AccessLogField.UserAgent when record.UserAgent.Count > 0: json.WriteString(name, record.UserAgent.ToString()); break;
                case AccessLogField.Operation: WriteOptional(json, name, record.Operation); break;
                case AccessLogField.Target: WriteOptional(json, name, record.Target); break;
                case AccessLogField.Refusal: WriteOptional(json, name, record.Refusal); break;
                case AccessLogField.InputTokens when record.InputTokens is { } input: json.WriteNumber(name, input); break;
                case AccessLogField.OutputTokens when record.OutputTokens is { } output: json.WriteNumber(name, output); break;
                default: break;
            }
        }

        json.WriteEndObject();
        json.Flush();
    }

    private static void WriteOptional(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>The client's address, formatted without a string of its own.</summary>
    private static void WriteAddress(Utf8JsonWriter json, JsonEncodedText name, System.Net.IPAddress? address)
    {
        Span<char> text = stackalloc char[64];
        if (address is not null && address.TryFormat(text, out var written))
        {
            json.WriteString(name, text[..written]);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Lines} access log lines; they are dropped: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, int lines, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Writing the access log to {Path}")]
    private static partial void LogWritingTo(ILogger logger, string path);
}
