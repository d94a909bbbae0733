using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.Mcp;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Telemetry.Reporting;
using Google.Protobuf.WellKnownTypes;

namespace AgentGateway.Proxy.Kinds.Mcp.Governance;

/// <summary>
/// Judges the tools targets list against the route's approved pins (from the control plane or the file). A tool
/// without a pin is trusted on first sight — unless it carries hidden-instruction patterns — and remembered on this
/// replica until its pin arrives; a definition that differs from its pin is a change awaiting approval. Every
/// untrusted or first-seen definition is reported, so the control plane can pin it and show it for approval. The last
/// definition seen of each tool is kept, so a call is judged even when the caller did not list first.
/// </summary>
internal sealed class ToolPinRegistry(ToolObservationRecorder observations, TimeProvider time)
{
    private readonly ConcurrentDictionary<ToolKey, string> _firstSeen = new();
    private readonly ConcurrentDictionary<ToolKey, Observation> _lastSeen = new();

    /// <summary>Judges a definition a target just listed, and remembers it.</summary>
    public ToolPinStatus Observe(Route route, McpTarget target, string tool, JsonObject definition, out IReadOnlyList<string> findings)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(definition);
        var key = Key(route, target.Name, tool);
        var canonical = ToolDefinitions.Canonical(definition);
        var hash = ToolDefinitions.HashCanonical(canonical);
        if (!_lastSeen.TryGetValue(key, out var known) || known.Hash != hash)
        {
            known = new Observation(hash, ToolDefinitions.Findings(definition));
            _lastSeen[key] = known;
        }

        findings = known.Findings;
        var status = Judge(route, key, target.Name, tool, known);
        if (status != ToolPinStatus.Trusted || !HasApprovedPin(route, target.Name, tool))
        {
            observations.Record(new ToolObservation
            {
                Tenant = route.Tenant,
                Route = route.Name,
                Target = target.Name,
                Tool = tool,
                Sha256 = hash,
                DefinitionJson = canonical,
                Findings = { known.Findings },
                ObservedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            });
        }

        return status;
    }

    /// <summary>How the tool stood when last listed; null when this replica has not seen it.</summary>
    public ToolPinStatus? StatusOf(Route route, McpTarget target, string tool)
    {
        var key = Key(route, target.Name, tool);
        return _lastSeen.TryGetValue(key, out var known) ? Judge(route, key, target.Name, tool, known) : null;
    }

    private ToolPinStatus Judge(Route route, ToolKey key, string target, string tool, Observation observation)
    {
        if (ApprovedHash(route, target, tool) is { } approved)
        {
            return approved == observation.Hash ? ToolPinStatus.Trusted : ToolPinStatus.Changed;
        }

        if (observation.Findings.Count > 0)
        {
            return ToolPinStatus.Suspicious;
        }

        // Trust on first use: the first definition seen stands until the control plane pins one.
        var first = _firstSeen.GetOrAdd(key, observation.Hash);
        return first == observation.Hash ? ToolPinStatus.Trusted : ToolPinStatus.Changed;
    }

    private static bool HasApprovedPin(Route route, string target, string tool) => ApprovedHash(route, target, tool) is not null;

    private static string? ApprovedHash(Route route, string target, string tool)
    {
        foreach (var pin in route.Mcp.ToolPinning?.Pins ?? [])
        {
            if (pin.Target == target && pin.Tool == tool)
            {
                return pin.Sha256;
            }
        }

        return null;
    }

    private static ToolKey Key(Route route, string target, string tool) => new(route.Tenant, route.Name, target, tool);

    private readonly record struct ToolKey(string Tenant, string Route, string Target, string Tool);

    private sealed record Observation(string Hash, IReadOnlyList<string> Findings);
}
