using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Telemetry.AccessLog;

/// <summary>
/// The access log (<see cref="AccessLogOptions"/>): a request's line is taken when it ends and queued; one background
/// loop formats and writes the queue, a batch at a time, so a request never waits on the log. A full queue drops
/// lines (counted in <c>agentgateway.accesslog.dropped</c>) rather than hold requests or memory.
/// </summary>
internal sealed partial class AccessLogWriter : BackgroundService
{
    private const string Redacted = "[redacted]";

    private static readonly string[] s_secretParameters = ["token", "key", "secret", "password", "passwd", "sig", "session", "auth", "code", "credential"];

    private readonly AccessLogOptions _options;
    private readonly Channel<AccessLogEntry> _queue;
    private readonly bool[] _fields;
    private readonly Counter<long> _dropped;
    private readonly TimeProvider _time;
    private readonly ILogger<AccessLogWriter> _logger;

    public AccessLogWriter(IOptions<TelemetryOptions> options, GatewayMetrics metrics, TimeProvider time, ILogger<AccessLogWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _options = options.Value.AccessLog;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(_options.BufferSize)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
        var chosen = _options.Fields.Count == 0 ? AccessLogFields.All : new HashSet<string>(_options.Fields, StringComparer.Ordinal);
        _fields = [.. AccessLogFields.Ordered.Select(chosen.Contains)];
        _dropped = metrics.Meter.CreateCounter<long>("agentgateway.accesslog.dropped", "{line}", "Access log lines dropped because the writer fell behind.");
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Serves <paramref name="context"/> with <paramref name="next"/> and queues its line when it ends.</summary>
    public async Task LogAsync(HttpContext context, Func<HttpContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var at = _time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var record = new GatewayRequestRecord();
        context.Features.Set(record);
        var body = new CountingBody(context.Response.Body);
        context.Response.Body = body;
        try
        {
            await next(context);
        }
        finally
        {
            var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
            if (Sampled(status))
            {
                var request = context.Request;
                var entry = new AccessLogEntry(
                    at,
                    Activity.Current?.TraceId.ToHexString(),
                    record,
                    request.Method,
                    _options.IncludeQuery && request.QueryString.HasValue ? request.Path.Value + RedactQuery(request.QueryString.Value!) : request.Path.Value ?? "/",
                    status,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    request.ContentLength,
                    body.Written,
                    context.Connection.RemoteIpAddress?.ToString(),
                    request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null);
                if (!_queue.Writer.TryWrite(entry))
                {
                    _dropped.Add(1);
                }
            }
        }
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await using var output = Open();
        var buffer = new ArrayBufferWriter<byte>(1024);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_queue.Reader.TryRead(out var entry))
                {
                    buffer.ResetWrittenCount();
                    Format(entry, buffer);
                    await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
                }

                await output.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: write what is queued.
            while (_queue.Reader.TryRead(out var entry))
            {
                buffer.ResetWrittenCount();
                Format(entry, buffer);
                await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
            }

            await output.FlushAsync(CancellationToken.None);
        }
    }

    private TextWriter Open()
    {
        if (_options.Path == AccessLogOptions.StandardOutput)
        {
            // The console's writer is synchronized: a line never interleaves with the console logger's.
            return TextWriter.Synchronized(Console.Out);
        }

        LogWritingTo(_logger, _options.Path);
        var stream = new FileStream(_options.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 64 * 1024, FileOptions.Asynchronous);
        return new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = false };
    }

    private void Format(AccessLogEntry entry, IBufferWriter<byte> buffer)
    {
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        var record = entry.Record;
        for (var index = 0; index < _fields.Length; index++)
        {
            if (!_fields[index])
            {
                continue;
            }

            var name = AccessLogFields.Ordered[index];
            switch (name)
            {
                case AccessLogFields.Time: json.WriteString(name, entry.Time); break;
                case AccessLogFields.TraceId: WriteOptional(json, name, entry.TraceId); break;
                case AccessLogFields.Tenant: WriteOptional(json, name, record.Tenant); break;
                case AccessLogFields.Route: WriteOptional(json, name, record.Route); break;
                case AccessLogFields.Kind: WriteOptional(json, name, record.Kind); break;
                case AccessLogFields.Method: json.WriteString(name, entry.Method); break;
                case AccessLogFields.Path: json.WriteString(name, entry.Path); break;
                case AccessLogFields.Status: json.WriteNumber(name, entry.Status); break;
                case AccessLogFields.DurationMs: json.WriteNumber(name, Math.Round(entry.DurationMs, 3)); break;
                case AccessLogFields.BytesReceived when entry.BytesReceived is { } received: json.WriteNumber(name, received); break;
                case AccessLogFields.BytesSent: json.WriteNumber(name, entry.BytesSent); break;
                case AccessLogFields.Caller: WriteOptional(json, name, record.Caller); break;
                case AccessLogFields.ClientAddress: WriteOptional(json, name, entry.ClientAddress); break;
                case AccessLogFields.UserAgent: WriteOptional(json, name, entry.UserAgent); break;
                case AccessLogFields.Operation: WriteOptional(json, name, record.Operation); break;
                case AccessLogFields.Target: WriteOptional(json, name, record.Target); break;
                case AccessLogFields.Refusal: WriteOptional(json, name, record.Refusal); break;
                case AccessLogFields.InputTokens when record.InputTokens is { } input: json.WriteNumber(name, input); break;
                case AccessLogFields.OutputTokens when record.OutputTokens is { } output: json.WriteNumber(name, output); break;
                default: break;
            }
        }

        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Writing the access log to {Path}")]
    private static partial void LogWritingTo(ILogger logger, string path);
}
