using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>
/// Keeps the usage records of LLM requests for the control plane (which prices them and shows them per key, model and
/// day), in memory until the reporter moves them to its <see cref="RecordJournal{T}"/> on disk.
/// </summary>
internal sealed class LlmUsageRecorder(ILogger<LlmUsageRecorder> logger) : PendingRecords<LlmUsageRecord>(logger, "LLM usage records");
