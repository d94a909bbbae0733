using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Telemetry.Reporting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config.Xds;

/// <summary>
/// Sends the control plane, at a steady interval and only when there is something to say, what this proxy saw: the
/// use of API keys (for their last-used time), tool definitions no approved pin matches (to pin or review them) and
/// the usage of LLM routes, and the records of the calls it served. Tool observations and usage records a failed report
/// could not deliver are kept for the next one; a backlog of usage records goes in several reports. Call records a
/// report could not deliver go to a <see cref="CallSpool"/> on disk (and so do those waiting when the proxy stops),
/// and are sent from there, oldest first, before newer ones.
/// </summary>
internal sealed partial class GatewayReporter(
    IOptions<XdsOptions> options,
    IHttpClientFactory httpClientFactory,
    ClientCredentialsTokenSource tokens,
    ApiKeyUsageRecorder keyUsage,
    ToolObservationRecorder toolObservations,
    LlmUsageRecorder llmUsage,
    CallRecorder calls,
    TimeProvider timeProvider,
    ILogger<GatewayReporter> logger) : BackgroundService
{
    /// <summary>The most usage records one report carries (the control plane takes at most 10000).</summary>
    public const int MaxLlmUsagePerReport = 5_000;

    /// <summary>The most call records one report (and one spool segment) carries (the control plane takes at most 10000).</summary>
    public const int MaxCallsPerReport = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        keyUsage.Reporting = true;
        toolObservations.Reporting = true;
        llmUsage.Reporting = true;
        calls.Reporting = true;
        var settings = options.Value;
        using var channel = GrpcChannel.ForAddress(settings.Address!, new GrpcChannelOptions
        {
            HttpClient = httpClientFactory.CreateClient(XdsClient.HttpClientName),
            DisposeHttpClient = true,
        });
        var client = new GatewayReports.GatewayReportsClient(channel);
        var nodeId = string.IsNullOrEmpty(settings.NodeId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : settings.NodeId;
        var spool = new CallSpool(
            settings.SpoolDirectory ?? Path.Combine(Path.GetTempPath(), "agentgateway-spool", settings.NodeId ?? Environment.MachineName), settings.SpoolMaxBytes, logger);
        using var timer = new PeriodicTimer(settings.ReportInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await ReportAsync(client, nodeId, stoppingToken);
                await ReportCallsAsync(client, nodeId, spool, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: last-used times and the like are lost with the process; call records wait in the spool.
            var batch = calls.Drain(MaxCallsPerReport);
            while (batch.Count > 0 && spool.Write(batch))
            {
                batch = calls.Drain(MaxCallsPerReport);
            }
        }
    }

    /// <summary>
    /// Sends the spooled call records, oldest first, then those recorded since; from the first failure on, what is
    /// left goes to the spool, or back to memory when the spool cannot be written.
    /// </summary>
    private async Task ReportCallsAsync(GatewayReports.GatewayReportsClient client, string nodeId, CallSpool spool, CancellationToken cancellationToken)
    {
        var delivering = true;
        foreach (var segment in spool.Segments())
        {
            var request = new ReportRequest { NodeId = nodeId };
            request.Calls.Add(CallSpool.Read(segment));
            if (!(delivering = await SendAsync(client, request, cancellationToken)))
            {
                break;
            }

            CallSpool.Delete(segment);
        }

        for (var batch = calls.Drain(MaxCallsPerReport); batch.Count > 0; batch = calls.Drain(MaxCallsPerReport))
        {
            var request = new ReportRequest { NodeId = nodeId };
            request.Calls.Add(batch);
            if ((!delivering || !(delivering = await SendAsync(client, request, cancellationToken))) && !spool.Write(batch))
            {
                // No disk either: the records wait in memory (within its bound) for the next report.
                calls.Requeue(batch);
                break;
            }
        }
    }

    private async Task ReportAsync(GatewayReports.GatewayReportsClient client, string nodeId, CancellationToken cancellationToken)
    {
        var request = new ReportRequest { NodeId = nodeId };
        request.ApiKeyUses.Add(keyUsage.Drain());
        request.ToolObservations.Add(toolObservations.Drain());
        request.LlmUsage.Add(llmUsage.Drain(MaxLlmUsagePerReport));
        while (await SendAsync(client, request, cancellationToken) && request.LlmUsage.Count == MaxLlmUsagePerReport)
        {
            request = new ReportRequest { NodeId = nodeId };
            request.LlmUsage.Add(llmUsage.Drain(MaxLlmUsagePerReport));
        }
    }

    /// <summary>Sends one report; false when it failed (what it carried is kept for the next) or had nothing to say.</summary>
    private async Task<bool> SendAsync(GatewayReports.GatewayReportsClient client, ReportRequest request, CancellationToken cancellationToken)
    {
        if (request.ApiKeyUses.Count == 0 && request.ToolObservations.Count == 0 && request.LlmUsage.Count == 0 && request.Calls.Count == 0)
        {
            return false;
        }

        try
        {
            var headers = new Metadata();
            if (await tokens.GetTokenAsync(cancellationToken) is { } token)
            {
                headers.Add("authorization", "Bearer " + token);
            }

            await client.ReportAsync(request, headers, deadline: timeProvider.GetUtcNow().UtcDateTime.AddSeconds(10), cancellationToken: cancellationToken);
            LogReported(logger, request.ApiKeyUses.Count, request.ToolObservations.Count, request.LlmUsage.Count, request.Calls.Count);
            return true;
        }
        catch (Exception exception) when (exception is RpcException or HttpRequestException)
        {
            if (exception is RpcException { StatusCode: StatusCode.Unauthenticated })
            {
                tokens.Invalidate();
            }

            toolObservations.Requeue(request.ToolObservations);
            llmUsage.Requeue(request.LlmUsage);
            LogReportFailed(logger, exception.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reported {KeyUses} API key uses, {ToolObservations} tool observations, {LlmUsage} LLM usage records and {Calls} call records")]
    private static partial void LogReported(ILogger logger, int keyUses, int toolObservations, int llmUsage, int calls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report to the control plane; will try again: {Reason}")]
    private static partial void LogReportFailed(ILogger logger, string reason);
}
