using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Telemetry.Reporting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config.Xds;

/// <summary>
/// Sends the control plane, at a steady interval and only when there is something to say, what this proxy saw: the
/// use of API keys (for their last-used time), tool definitions no approved pin matches (to pin or review them) and
/// the usage of LLM routes. Tool observations and usage records a failed report could not deliver are kept for the
/// next one; a backlog of usage records goes in several reports.
/// </summary>
internal sealed partial class GatewayReporter(
    IOptions<XdsOptions> options,
    IHttpClientFactory httpClientFactory,
    ClientCredentialsTokenSource tokens,
    ApiKeyUsageRecorder keyUsage,
    ToolObservationRecorder toolObservations,
    LlmUsageRecorder llmUsage,
    TimeProvider timeProvider,
    ILogger<GatewayReporter> logger) : BackgroundService
{
    /// <summary>The most usage records one report carries (the control plane takes at most 10000).</summary>
    public const int MaxLlmUsagePerReport = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        keyUsage.Reporting = true;
        toolObservations.Reporting = true;
        llmUsage.Reporting = true;
        var settings = options.Value;
        using var channel = GrpcChannel.ForAddress(settings.Address!, new GrpcChannelOptions
        {
            HttpClient = httpClientFactory.CreateClient(XdsClient.HttpClientName),
            DisposeHttpClient = true,
        });
        var client = new GatewayReports.GatewayReportsClient(channel);
        var nodeId = string.IsNullOrEmpty(settings.NodeId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : settings.NodeId;
        using var timer = new PeriodicTimer(settings.ReportInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await ReportAsync(client, nodeId, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was not reported yet is lost with the process, which is fine for last-used times.
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
        if (request.ApiKeyUses.Count == 0 && request.ToolObservations.Count == 0 && request.LlmUsage.Count == 0)
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
            LogReported(logger, request.ApiKeyUses.Count, request.ToolObservations.Count, request.LlmUsage.Count);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reported {KeyUses} API key uses, {ToolObservations} tool observations and {LlmUsage} LLM usage records")]
    private static partial void LogReported(ILogger logger, int keyUses, int toolObservations, int llmUsage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report to the control plane; will try again: {Reason}")]
    private static partial void LogReportFailed(ILogger logger, string reason);
}
