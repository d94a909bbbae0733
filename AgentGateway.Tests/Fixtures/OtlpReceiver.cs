using System.Collections.Concurrent;
using System.Net;
using AgentGateway.Tests.Fixtures.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// An OTLP/HTTP (protobuf) endpoint on loopback that a service under test exports its telemetry to: it keeps the
/// latest data points of every metric exported and every span, and accepts (and drops) logs.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, IReadOnlyList<MetricPoint>> _metrics = new(StringComparer.Ordinal);

    private OtlpReceiver(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.MapPost("/v1/metrics", ReceiveMetricsAsync);
        _app.MapPost("/v1/traces", ReceiveTracesAsync);
        _app.MapPost("/v1/{signal}", () => Results.Ok());
    }

    /// <summary>Every span exported so far.</summary>
    public ConcurrentQueue<ExportedSpan> Spans { get; } = new();

    /// <summary>The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>The settings that make a service export here every <paramref name="interval"/>.</summary>
    public IReadOnlyDictionary<string, string> Settings(TimeSpan interval) => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = ((int)interval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OTEL_BSP_SCHEDULE_DELAY"] = ((int)interval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver(ServiceProcess.GetFreePort());
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>
    /// Waits until metric <paramref name="name"/> has a data point whose attributes include <paramref name="attributes"/>
    /// and returns its value (a sum's value, a histogram's count): cumulative, so it only grows.
    /// </summary>
    public async Task<double> WaitForAsync(string name, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_metrics.TryGetValue(name, out var points)
                && points.FirstOrDefault(point => attributes.All(pair => point.Attributes.TryGetValue(pair.Key, out var value) && value == pair.Value)) is { } found)
            {
                return found.Value;
            }

            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var seen = string.Join("; ", _metrics.TryGetValue(name, out var last) ? last.Select(point => string.Join(",", point.Attributes)) : ["(no such metric)"]);
                throw new TimeoutException($"No data point of '{name}' with {string.Join(",", attributes)} was exported; seen: {seen}");
            }
        }
    }

    /// <summary>Every value attribute <paramref name="attribute"/> has in the last export of metric <paramref name="name"/>.</summary>
    public IReadOnlyList<string> ValuesOf(string name, string attribute) => _metrics.TryGetValue(name, out var points)
        ? [.. points.Select(point => point.Attributes.GetValueOrDefault(attribute)).OfType<string>().Distinct(StringComparer.Ordinal)]
        : [];

    private async Task<IResult> ReceiveMetricsAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        var export = ExportMetricsServiceRequest.Parser.ParseFrom(body.ToArray());
        foreach (var metric in export.ResourceMetrics.SelectMany(resource => resource.ScopeMetrics).SelectMany(scope => scope.Metrics))
        {
            IReadOnlyList<MetricPoint> points = metric.DataCase switch
            {
                Metric.DataOneofCase.Sum => [.. metric.Sum.DataPoints.Select(point =>
                    new MetricPoint(Attributes(point.Attributes), point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble))],
                Metric.DataOneofCase.Histogram => [.. metric.Histogram.DataPoints.Select(point => new MetricPoint(Attributes(point.Attributes), point.Count))],
                _ => [],
            };
            if (points.Count > 0)
            {
                _metrics[metric.Name] = points;
            }
        }

        return Results.Ok();
    }

    private async Task<IResult> ReceiveTracesAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        var export = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
        foreach (var span in export.ResourceSpans.SelectMany(resource => resource.ScopeSpans).SelectMany(scope => scope.Spans))
        {
            Spans.Enqueue(new ExportedSpan(
                Convert.ToHexStringLower(span.TraceId.Span), Convert.ToHexStringLower(span.SpanId.Span), Convert.ToHexStringLower(span.ParentSpanId.Span),
                span.Name, span.Kind, Attributes(span.Attributes)));
        }

        return Results.Ok();
    }

    /// <summary>Attributes as text: strings as they are, numbers and booleans in invariant form.</summary>
    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue> attributes) =>
        attributes.ToDictionary(attribute => attribute.Key, attribute => attribute.Value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.IntValue => attribute.Value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => attribute.Value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.BoolValue => attribute.Value.BoolValue ? "true" : "false",
            _ => attribute.Value?.StringValue ?? string.Empty,
        }, StringComparer.Ordinal);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A span as exported: hex ids, name, kind (OTLP's numbers: 2 server, 3 client) and string attributes.</summary>
    public sealed record ExportedSpan(
        string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, string> Attributes);

    private sealed record MetricPoint(IReadOnlyDictionary<string, string> Attributes, double Value);
}
