using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Telemetry.Reporting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config.Xds;

/// <summary>
/// Sends the control plane, at a steady interval and only when there is something to say, what this proxy saw: the
/// use of API keys (for their last-used time), tool definitions no approved pin matches (to pin or review them), the
/// usage of LLM routes and the records of the calls it served. Tool observations a failed report could not deliver
/// are kept for the next one. Call and usage records go to a <see cref="RecordJournal{T}"/> on disk every
/// <see cref="JournalInterval"/> and are sent from there, oldest first, so that a control plane down for long or a
/// proxy killed outright loses none (a journal the disk refuses leaves them in memory, sent from there).
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
    /// <summary>The most records of a kind one report (and one journal segment) carries (the control plane takes at most 10000).</summary>
    public const int MaxRecordsPerReport = 5_000;

    /// <summary>How often records in memory go to the journal: what a proxy killed outright may lose.</summary>
    public static readonly TimeSpan JournalInterval = TimeSpan.FromMilliseconds(100);

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
        var directory = settings.SpoolDirectory ?? Path.Combine(Path.GetTempPath(), "agentgateway-spool", settings.NodeId ?? Environment.MachineName);
        var callJournal = new RecordJournal<CallRecord>(directory, "calls", CallRecord.Parser, settings.SpoolMaxBytes, logger);
        var usageJournal = new RecordJournal<LlmUsageRecord>(directory, "usage", LlmUsageRecord.Parser, settings.SpoolMaxBytes, logger);
        using var timer = new PeriodicTimer(JournalInterval < settings.ReportInterval ? JournalInterval : settings.ReportInterval, timeProvider);
        var lastReport = timeProvider.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Journal(calls, callJournal);
                Journal(llmUsage, usageJournal);
                if (timeProvider.GetElapsedTime(lastReport) < settings.ReportInterval)
                {
                    continue;
                }

                lastReport = timeProvider.GetTimestamp();
                await ReportAsync(client, nodeId, stoppingToken);
                await DeliverAsync(client, nodeId, callJournal, calls, static (request, batch) => request.Calls.Add(batch), stoppingToken);
                await DeliverAsync(client, nodeId, usageJournal, llmUsage, static (request, batch) => request.LlmUsage.Add(batch), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: last-used times and the like are lost with the process; records wait in the journal.
            Journal(calls, callJournal);
            Journal(llmUsage, usageJournal);
            callJournal.Seal();
            usageJournal.Seal();
        }
    }

    /// <summary>Moves the records waiting in memory to the journal, sealing a segment when it holds what a report carries.</summary>
    private static void Journal<T>(PendingRecords<T> pending, RecordJournal<T> journal)
        where T : class, Google.Protobuf.IMessage<T>
    {
        while (true)
        {
            if (journal.OpenCount >= MaxRecordsPerReport)
            {
                journal.Seal();
            }

            var batch = pending.Drain(MaxRecordsPerReport - journal.OpenCount);
            if (batch.Count == 0)
            {
                return;
            }

            if (!journal.Append(batch))
            {
                // No disk: the records wait in memory (within its bound) and go from there.
                pending.Requeue(batch);
                return;
            }
        }
    }

    /// <summary>
    /// Sends the journal's segments, oldest first, deleting each once delivered, then what waits in memory because the
    /// journal could not take it; stops at the first failure (the rest waits for the next report).
    /// </summary>
    private async Task DeliverAsync<T>(
        GatewayReports.GatewayReportsClient client, string nodeId, RecordJournal<T> journal, PendingRecords<T> pending,
        Action<ReportRequest, IEnumerable<T>> add, CancellationToken cancellationToken)
        where T : class, Google.Protobuf.IMessage<T>
    {
        journal.Seal();
        foreach (var segment in journal.Segments())
        {
            var records = journal.Read(segment);
            if (records.Count > 0)
            {
                var request = new ReportRequest { NodeId = nodeId };
                add(request, records);
                if (!await SendAsync(client, request, cancellationToken))
                {
                    return;
                }
            }

            RecordJournal<T>.Delete(segment);
        }

        for (var batch = pending.Drain(MaxRecordsPerReport); batch.Count > 0; batch = pending.Drain(MaxRecordsPerReport))
        {
            var request = new ReportRequest { NodeId = nodeId };
            add(request, batch);
            if (!await SendAsync(client, request, cancellationToken))
            {
                pending.Requeue(batch);
                return;
            }
        }
    }

    private async Task ReportAsync(GatewayReports.GatewayReportsClient client, string nodeId, CancellationToken cancellationToken)
    {
        var request = new ReportRequest { NodeId = nodeId };
        request.ApiKeyUses.Add(keyUsage.Drain());
        request.ToolObservations.Add(toolObservations.Drain());
        if (request.ApiKeyUses.Count + request.ToolObservations.Count > 0 && !await SendAsync(client, request, cancellationToken))
        {
            toolObservations.Requeue(request.ToolObservations);
        }
    }

    /// <summary>Sends one report; false when it failed (what it carried is the caller's to keep).</summary>
    private async Task<bool> SendAsync(GatewayReports.GatewayReportsClient client, ReportRequest request, CancellationToken cancellationToken)
    {
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

            LogReportFailed(logger, exception.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reported {KeyUses} API key uses, {ToolObservations} tool observations, {LlmUsage} LLM usage records and {Calls} call records")]
    private static partial void LogReported(ILogger logger, int keyUses, int toolObservations, int llmUsage, int calls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report to the control plane; will try again: {Reason}")]
    private static partial void LogReportFailed(ILogger logger, string reason);
}
