using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts.Mcp;
using AgentGateway.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using ToolPin = AgentGateway.AdminApi.Data.Entities.ToolPin;

namespace AgentGateway.AdminApi.ControlPlane.Reports;

/// <summary>
/// Turns the tool definitions proxies saw into pins. A tool seen for the first time is trusted on sight (an approved
/// pin) unless it carries hidden-instruction patterns, which makes it pending; a tool whose definition differs from
/// its approved pin gets that definition recorded as pending, and stays withheld (or flagged) until a tenant admin
/// approves it. Only changes to approved pins are config changes, pushed to every proxy.
/// </summary>
internal sealed partial class ToolObservations(AdminDbContext db, TimeProvider timeProvider, ILogger<ToolObservations> logger)
{
    /// <summary>The largest definition recorded.</summary>
    public const int MaxDefinitionLength = 256 * 1024;

    public const string TrustOnFirstUse = "trust-on-first-use";

    private const int MaxFindings = 20;

    public async Task RecordAsync(string nodeId, IReadOnlyList<ToolObservation> observations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (observations.Count == 0)
        {
            return;
        }

        // Two proxies may report the same new tool at once: the loser of the race reads the winner's pin and retries.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RecordOnceAsync(nodeId, observations, cancellationToken);
                return;
            }
            catch (DbUpdateException exception) when (attempt < 3 && (DatabaseErrors.IsUniqueViolation(exception) || exception is DbUpdateConcurrencyException))
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task RecordOnceAsync(string nodeId, IReadOnlyList<ToolObservation> observations, CancellationToken cancellationToken)
    {
        var tenants = observations.Select(observation => observation.Tenant).Distinct(StringComparer.Ordinal).ToList();
        var routeNames = observations.Select(observation => observation.Route).Distinct(StringComparer.Ordinal).ToList();
        var routes = await db.Routes.Include(route => route.Tenant).Include(route => route.Targets).ThenInclude(target => target.McpServer)
            .Where(route => tenants.Contains(route.Tenant!.Name) && routeNames.Contains(route.Name))
            .ToListAsync(cancellationToken);
        var routeIds = routes.Select(route => route.Id).ToList();
        var pins = (await db.ToolPins.Where(pin => routeIds.Contains(pin.RouteId)).ToListAsync(cancellationToken))
            .ToDictionary(pin => (pin.RouteId, pin.Target, pin.Tool));
        var now = timeProvider.GetUtcNow();
        var approvedChanged = false;
        foreach (var observation in observations)
        {
            var route = routes.FirstOrDefault(candidate => candidate.Tenant!.Name == observation.Tenant && candidate.Name == observation.Route);
            if (route is null || route.ToolPinning == ToolPinningSetting.Off
                || route.Targets.All(target => target.McpServer!.Name != observation.Target)
                || observation.Tool.Length is 0 or > 256
                || Definition(observation) is not { } definition)
            {
                LogIgnored(logger, nodeId, observation.Tenant, observation.Route, observation.Target, observation.Tool);
                continue;
            }

            var findings = observation.Findings.Where(finding => finding.Length is > 0 and <= 200).Take(MaxFindings)
                .Union(ToolDefinitions.Findings(definition), StringComparer.Ordinal).ToList();
            var key = (route.Id, observation.Target, observation.Tool);
            if (!pins.TryGetValue(key, out var pin))
            {
                pin = new ToolPin
                {
                    Id = Guid.CreateVersion7(),
                    TenantId = route.TenantId,
                    RouteId = route.Id,
                    Route = route,
                    Target = observation.Target,
                    Tool = observation.Tool,
                    FirstSeenAt = now,
                    UpdatedAt = now,
                };
                if (findings.Count == 0)
                {
                    pin.Status = ToolPinStatus.Approved;
                    pin.ApprovedSha256 = observation.Sha256;
                    pin.ApprovedDefinition = definition;
                    pin.ApprovedBy = TrustOnFirstUse;
                    pin.ApprovedAt = now;
                    approvedChanged = true;
                }
                else
                {
                    SetPending(pin, observation.Sha256, definition, findings, now);
                    LogSuspicious(logger, observation.Tenant, observation.Route, observation.Target, observation.Tool, string.Join("; ", findings));
                }

                pins[key] = pin;
                db.ToolPins.Add(pin);
            }
            else if (pin.ApprovedSha256 != observation.Sha256 && pin.PendingSha256 != observation.Sha256)
            {
                pin.Route = route;
                SetPending(pin, observation.Sha256, definition, findings, now);
                LogChanged(logger, observation.Tenant, observation.Route, observation.Target, observation.Tool);
            }
        }

        if (approvedChanged)
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private static void SetPending(ToolPin pin, string sha256, JsonObject definition, List<string> findings, DateTimeOffset now)
    {
        pin.Status = ToolPinStatus.Pending;
        pin.PendingSha256 = sha256;
        pin.PendingDefinition = definition;
        pin.PendingFindings = findings;
        pin.UpdatedAt = now;
    }

    /// <summary>The definition, when it is one and its hash is the one reported.</summary>
    private static JsonObject? Definition(ToolObservation observation)
    {
        if (observation.DefinitionJson.Length is 0 or > MaxDefinitionLength)
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(observation.DefinitionJson) is not JsonObject definition)
            {
                return null;
            }

            return ToolDefinitions.Hash(definition) == observation.Sha256 ? definition : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {NodeId} reported tool {Tenant}/{Route}/{Target}/{Tool}, which is not on the route, or whose definition does not match its hash; ignored")]
    private static partial void LogIgnored(ILogger logger, string nodeId, string tenant, string route, string target, string tool);

    [LoggerMessage(Level = LogLevel.Warning, Message = "New tool {Tenant}/{Route}/{Target}/{Tool} carries hidden-instruction patterns and waits for approval: {Findings}")]
    private static partial void LogSuspicious(ILogger logger, string tenant, string route, string target, string tool, string findings);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tenant}/{Route}/{Target}/{Tool} changed its definition; the new one waits for approval")]
    private static partial void LogChanged(ILogger logger, string tenant, string route, string target, string tool);
}
