using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain.Connections;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.Contracts.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.ControlPlane.Reports;

/// <summary>
/// What proxies report back, batched, beside the xDS stream and with the same credentials: when API keys were last
/// used (recorded without a config change: the time only moves forwards, and never past the present), the tool
/// definitions they see that no approved pin matches, the usage of LLM routes, and the calls they served.
/// </summary>
[Authorize(Policy = AuthorizationPolicies.Proxy)]
internal sealed partial class GatewayReportsServer(
    AdminDbContext db,
    ToolObservations toolObservations,
    UserTokenVault vault,
    Microsoft.Extensions.Options.IOptions<AgentGateway.AdminApi.ControlPlane.Xds.XdsScopeOptions> scopes,
    LlmUsageIngestion llmUsage,
    CallRecordIngestion calls,
    TimeProvider timeProvider,
    ILogger<GatewayReportsServer> logger) : GatewayReports.GatewayReportsBase
{
    /// <summary>The most uses one report may carry.</summary>
    public const int MaxApiKeyUses = 10_000;

    /// <summary>The most tool observations one report may carry.</summary>
    public const int MaxToolObservations = 1_000;

    /// <summary>The most LLM usage records one report may carry.</summary>
    public const int MaxLlmUsage = 10_000;

    /// <summary>The most call records one report may carry.</summary>
    public const int MaxCalls = 10_000;

    public override async Task<ReportResponse> Report(ReportRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (request.ApiKeyUses.Count > MaxApiKeyUses || request.ToolObservations.Count > MaxToolObservations || request.LlmUsage.Count > MaxLlmUsage
            || request.Calls.Count > MaxCalls)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"A report carries at most {MaxApiKeyUses} API key uses, {MaxToolObservations} tool observations, {MaxLlmUsage} LLM usage records and {MaxCalls} call records; send several."));
        }

        var cancellationToken = context.CancellationToken;
        await RecordApiKeyUsesAsync(request, cancellationToken);
        await toolObservations.RecordAsync(request.NodeId, request.ToolObservations, cancellationToken);
        await llmUsage.RecordAsync(request.NodeId, request.LlmUsage, cancellationToken);
        var user = context.GetHttpContext().User;
        await calls.RecordAsync(request.NodeId, AgentGateway.AdminApi.ControlPlane.Xds.XdsScopeOptions.ClientOf(user), request.Calls, cancellationToken);
        return new ReportResponse();
    }

    /// <summary>
    /// A user's token for a proxy's call on their behalf: only of the tenants the proxy's credential serves, refreshed
    /// first when it is about to expire; empty when the user has not authorized.
    /// </summary>
    public override async Task<UserTokenResponse> GetUserToken(UserTokenRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (scopes.Value.TenantsOf(context.GetHttpContext().User) is { } served && !served.Contains(request.Tenant))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"This proxy's credential does not serve tenant '{request.Tenant}'."));
        }

        if (request.Subject.Length == 0 || request.Connection.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A user token names its tenant, connection and subject."));
        }

        var token = await vault.AccessTokenAsync(request.Tenant, request.Connection, request.Subject, context.CancellationToken);
        var response = new UserTokenResponse();
        if (token is { } found)
        {
            response.AccessToken = found.Token;
            if (found.ExpiresAt is { } expiresAt)
            {
                response.ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(expiresAt);
            }
        }

        return response;
    }

    private async Task RecordApiKeyUsesAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var latest = new Dictionary<(string Tenant, Guid Key), DateTimeOffset>();
        foreach (var use in request.ApiKeyUses)
        {
            if (!Guid.TryParse(use.KeyId, out var id) || use.LastUsedAt is null)
            {
                LogIgnoredUse(logger, request.NodeId, use.Tenant, use.KeyId);
                continue;
            }

            var at = use.LastUsedAt.ToDateTimeOffset();
            at = at > now ? now : at;
            latest[(use.Tenant, id)] = latest.TryGetValue((use.Tenant, id), out var seen) && seen > at ? seen : at;
        }

        foreach (var ((tenant, id), at) in latest)
        {
            // Not a config change: no revision bump, no audit entry, and a late report never moves the time back.
            await db.ApiKeys
                .Where(key => key.Id == id && key.Tenant!.Name == tenant && (key.LastUsedAt == null || key.LastUsedAt < at))
                .ExecuteUpdateAsync(setters => setters.SetProperty(key => key.LastUsedAt, at), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {NodeId} reported the use of an API key that cannot be one ({Tenant}/{KeyId}); ignored")]
    private static partial void LogIgnoredUse(ILogger logger, string nodeId, string tenant, string keyId);
}
