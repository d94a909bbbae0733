using System.Collections.Concurrent;
using AgentGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>Counts the use of API keys between reports; the control plane keeps each key's last-used time.</summary>
internal sealed class ApiKeyUsageRecorder(TimeProvider time)
{
    private ConcurrentDictionary<(string Tenant, string KeyId), Usage> _uses = new();

    /// <summary>Whether uses are kept for a report (a control plane is connected).</summary>
    public bool Reporting { get; set; }

    public void Record(string tenant, string keyId)
    {
        if (!Reporting)
        {
            return;
        }

        var now = time.GetUtcNow();
        _uses.AddOrUpdate((tenant, keyId), _ => new Usage(now, 1), (_, usage) => new Usage(now, usage.Requests + 1));
    }

    /// <summary>Takes what was recorded since the last call.</summary>
    public IReadOnlyList<ApiKeyUse> Drain()
    {
        var taken = Interlocked.Exchange(ref _uses, new ConcurrentDictionary<(string Tenant, string KeyId), Usage>());
        return [.. taken.Select(entry => new ApiKeyUse
        {
            Tenant = entry.Key.Tenant,
            KeyId = entry.Key.KeyId,
            LastUsedAt = Timestamp.FromDateTimeOffset(entry.Value.LastUsedAt),
            Requests = entry.Value.Requests,
        })];
    }

    private sealed record Usage(DateTimeOffset LastUsedAt, ulong Requests);
}
