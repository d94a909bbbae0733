using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Wires what every AgentGateway service shares: OpenTelemetry, health endpoints, service discovery and
/// resilient HTTP clients.
/// </summary>
public static class Extensions
{
    /// <summary>Liveness endpoint: the process is up.</summary>
    public const string LivenessPath = "/healthz";

    /// <summary>Readiness endpoint: every registered health check passes.</summary>
    public const string ReadinessPath = "/readyz";

    /// <summary>Tag for health checks that decide liveness.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Configuration key of the management listener's URL (e.g. <c>http://0.0.0.0:9464</c>): a listener of its own that
    /// serves the Prometheus scrape endpoint (<see cref="MetricsPath"/>) and the health probes, and nothing else. Unset,
    /// there is no scrape endpoint.
    /// </summary>
    public const string ManagementUrlKey = "Management:Url";

    /// <summary>
    /// Configuration key of whether HttpClient's own metrics (five instruments a request) are collected; on by default.
    /// The proxy turns them off: it records one histogram of its own per forwarded request.
    /// </summary>
    public const string HttpClientMetricsKey = "Telemetry:Metrics:HttpClient";

    /// <summary>
    /// Configuration key of whether ASP.NET Core's metrics of its internals are collected: routing's match attempts
    /// (one a request) and Kestrel's memory pool (several a request, one per buffer rented and returned), besides
    /// authentication, authorization, rate limiting, SignalR and Blazor. Off by default: hosting's request duration,
    /// Kestrel's connections and unhandled exceptions are what an operator watches, and the rest cost a gateway about 2%
    /// of its throughput.
    /// </summary>
    public const string AspNetCoreInternalsMetricsKey = "Telemetry:Metrics:AspNetCoreInternals";

    /// <summary>ASP.NET Core's meters an operator watches: requests, connections, unhandled exceptions.</summary>
    private static readonly string[] s_aspNetCoreMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics"];

    /// <summary>The Prometheus scrape endpoint, on the management listener only.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Name of the HTTP client option that opts a long-lived stream out of the standard resilience handler.</summary>
    public const string StreamingClientName = "streaming";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        if (builder is WebApplicationBuilder web)
        {
            web.AddManagementListener();
        }

        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// Removes the standard resilience handler from a named client that carries long-lived streams (xDS, SSE, MCP),
    /// whose total-request timeout would otherwise cut them after 30 seconds.
    /// </summary>
    public static IHttpClientBuilder WithoutResilience(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>
    /// Sends logs, metrics and traces over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the AppHost sets it
    /// to the dashboard), and serves metrics to Prometheus when a management listener is configured
    /// (<see cref="ManagementUrlKey"/>). With neither, nothing is collected in-process: recording spans and aggregating
    /// histograms for nobody would cost every proxied request two activities and a dozen measurements. The meters
    /// still publish to out-of-process listeners such as <c>dotnet-counters</c>. Traces are recorded only for OTLP.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = ManagementPort(builder.Configuration) is not null;
        if (!otlp && !prometheus)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics
                    .AddRuntimeInstrumentation()
                    .AddMeter("AgentGateway.*");
                if (builder.Configuration.GetValue(AspNetCoreInternalsMetricsKey, false))
                {
                    metrics.AddAspNetCoreInstrumentation();
                }
                else
                {
                    metrics.AddMeter(s_aspNetCoreMeters);
                }
                if (builder.Configuration.GetValue(HttpClientMetricsKey, true))
                {
                    metrics.AddHttpClientInstrumentation();
                }

                if (prometheus)
                {
                    metrics.AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            });
        if (!otlp)
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        telemetry
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("AgentGateway.*")
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(LivenessPath)
                        && !context.Request.Path.StartsWithSegments(ReadinessPath)
                        && !context.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();

        return builder;
    }

    /// <summary>
    /// Adds the management listener (<see cref="ManagementUrlKey"/>) beside the service's own: to its named Kestrel
    /// endpoints when it has some, else to its URLs — or, with none, to the ports of <c>ASPNETCORE_HTTP_PORTS</c> and
    /// <c>ASPNETCORE_HTTPS_PORTS</c> (what the .NET container images set), else to ASP.NET Core's default.
    /// </summary>
    private static void AddManagementListener(this WebApplicationBuilder builder)
    {
        if (builder.Configuration[ManagementUrlKey] is not { Length: > 0 } url)
        {
            return;
        }

        if (builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.Configuration["Kestrel:Endpoints:Management:Url"] = url;
            return;
        }

        var urls = Split(builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
        if (urls.Length == 0)
        {
            // Given URLs, the host ignores the ports settings (and warns that it does): they become URLs here instead.
            urls =
            [
                .. Split(builder.WebHost.GetSetting(WebHostDefaults.HttpPortsKey)).Select(port => $"http://*:{port}"),
                .. Split(builder.WebHost.GetSetting(WebHostDefaults.HttpsPortsKey)).Select(port => $"https://*:{port}"),
            ];
            builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, string.Empty);
            builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, string.Empty);
        }

        builder.WebHost.UseUrls([.. urls.Length == 0 ? ["http://localhost:5000"] : urls, url]);

        static string[] Split(string? list) =>
            (list ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The port of the management listener, or null when there is none.</summary>
    public static int? ManagementPort(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[ManagementUrlKey] is not { Length: > 0 } url)
        {
            return null;
        }

        var address = BindingAddress.Parse(url);
        return address.Port > 0
            ? address.Port
            : throw new InvalidOperationException($"{ManagementUrlKey} must name a port, e.g. http://0.0.0.0:9464; got '{url}'.");
    }

    /// <summary>
    /// Serves the management listener, first in the pipeline: the Prometheus scrape endpoint and the health probes
    /// answer there, every other request on it is 404, and no request on the service's own listeners sees metrics.
    /// The port is told by the connection, not by the Host header a client chooses.
    /// </summary>
    public static WebApplication UseManagementListener(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (ManagementPort(app.Configuration) is not { } port)
        {
            return app;
        }

        // One check of the port on the service's own requests; the rest only on the management listener's.
        app.UseWhen(context => context.Connection.LocalPort == port, management =>
        {
            management.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == MetricsPath);
            management.Use((context, next) =>
            {
                if (context.Request.Path.StartsWithSegments(LivenessPath) || context.Request.Path.StartsWithSegments(ReadinessPath))
                {
                    return next(context);
                }

                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        return app;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        return builder;
    }

    /// <summary>Maps <c>/healthz</c> (liveness) and <c>/readyz</c> (readiness) in every environment.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        }).AllowAnonymous();
        app.MapHealthChecks(ReadinessPath).AllowAnonymous();

        return app;
    }
}
