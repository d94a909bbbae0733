using AgentGateway.AdminApi.ControlPlane.Xds;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>The data-plane proxies connected to this AdminApi instance.</summary>
internal static class ProxiesApi
{
    public static IEndpointRouteBuilder MapProxiesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/proxies", ListProxies).WithTags("Proxies").WithName("ListProxies")
            .WithSummary("Connected proxies with the config version each last ACKed and its last NACK (platform admins)")
            .RequirePlatformAdmin("list proxies (platform admins only)");
        return endpoints;
    }

    private static Ok<List<ProxyStatusResponse>> ListProxies(ProxyRegistry registry)
    {
        return TypedResults.Ok(registry.Connected
            .Select(status => new ProxyStatusResponse(status.NodeId, status.ConnectedAt, status.AckedVersion, status.LastNackError, [.. status.Rejected
                .Select(rejected => new RejectedResourceResponse(rejected.TypeUrl[AgentGateway.Contracts.ResourceTypes.TypeUrlPrefix.Length..], rejected.Name, rejected.Version, [.. rejected.Errors], rejected.PreviousServed))]))
            .ToList());
    }
}
