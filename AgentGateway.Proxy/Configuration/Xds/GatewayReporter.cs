using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Reporting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Configuration.Xds;

/// <summary>
/// Sends the control plane, at a steady interval and only when there is something to say, what this proxy saw: the
/// use of API keys (for their last-used time) and tool definitions no approved pin matches (to pin or review them).
/// Tool observations a failed report could not deliver are kept for the next one.
/// </summary>
internal sealed partial class GatewayReporter(
    IOptions<XdsOptions> options,
    IHttpClientFactory httpClientFactory,
    ClientCredentialsTokenSource tokens,
    ApiKeyUsageRecorder keyUsage,
    ToolObservationRecorder toolObservations,
    TimeProvider timeProvider,
    ILogger<GatewayReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        keyUsage.Reporting = true;
        toolObservations.Reporting = true;
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
        if (request.ApiKeyUses.Count == 0 && request.ToolObservations.Count == 0)
        {
            return;
        }

        try
        {
            var headers = new Metadata();
            if (await tokens.GetTokenAsync(cancellationToken) is { } token)
            {
                headers.Add("authorization", "Bearer " + token);
            }

            await client.ReportAsync(request, headers, deadline: timeProvider.GetUtcNow().UtcDateTime.AddSeconds(10), cancellationToken: cancellationToken);
            LogReported(logger, request.ApiKeyUses.Count, request.ToolObservations.Count);
        }
        catch (Exception exception) when (exception is RpcException or HttpRequestException)
        {
            if (exception is RpcException { StatusCode: StatusCode.Unauthenticated })
            {
                tokens.Invalidate();
            }

            toolObservations.Requeue(request.ToolObservations);
            LogReportFailed(logger, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reported {KeyUses} API key uses and {ToolObservations} tool observations")]
    private static partial void LogReported(ILogger logger, int keyUses, int toolObservations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report to the control plane; will try again: {Reason}")]
    private static partial void LogReportFailed(ILogger logger, string reason);
}
