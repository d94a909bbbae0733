using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;

namespace AgentGateway.ConformanceServer.Mcp.Resources;

/// <summary>Puts the requested URI into the <c>data</c> of the error for an unknown resource (SEP-2164).</summary>
internal static class ResourceNotFoundFilter
{
    public static IMcpRequestFilterBuilder AddResourceNotFoundData(this IMcpRequestFilterBuilder filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        return filters.AddReadResourceFilter(next => async (request, cancellationToken) =>
        {
            try
            {
                return await next(request, cancellationToken);
            }
            catch (McpProtocolException ex) when (ex.ErrorCode is McpErrorCode.ResourceNotFound or McpErrorCode.InvalidParams && request.Params?.Uri is { } uri)
            {
                var notFound = new McpProtocolException(ex.Message, ex, ex.ErrorCode);
                notFound.Data["uri"] = uri;
                throw notFound;
            }
        });
    }
}
