using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>
/// Keeps the usage records of LLM requests for the control plane (which prices them and shows them per key, model and
/// day) until a report takes them.
/// </summary>
internal sealed class LlmUsageRecorder(ILogger<LlmUsageRecorder> logger) : PendingRecords<LlmUsageRecord>(logger, "LLM usage records");
