using System.Buffers;
using AgentGateway.Proxy.Telemetry;
using Microsoft.AspNetCore.Http.Features;

namespace AgentGateway.Proxy.Protocols;

/// <summary>
/// Reads a request body whole, up to a limit, for protocols that must look inside it before anything else; a body over
/// the limit is counted in <c>agentgateway.limit.exceeded</c> (<see cref="LimitMetrics.RequestBody"/>).
/// </summary>
internal static class RequestBody
{
    /// <summary>
    /// The body, or null when it is larger than <paramref name="limit"/> bytes (declared or as it arrives). The limit
    /// replaces the server's own for this request, so a protocol may accept more, or less, than other routes.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return TooLarge();
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // One past the limit, so that a body over it is ours to refuse, in the caller's protocol.
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        try
        {
            return await ReadBoundedAsync(request, limit, cancellationToken);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {

        var capacity = (int)Math.Min(limit + 1, Array.MaxLength);
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and var length ? (int)Math.Min(length, capacity) : Math.Min(16 * 1024, capacity));
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length >= capacity)
                    {
                        return TooLarge();
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, capacity));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > limit)
                {
                    return TooLarge();
                }
            }

            return buffer.AsSpan(0, total).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[]? TooLarge()
    {
        LimitMetrics.Exceeded(LimitMetrics.RequestBody);
        return null;
    }
}
