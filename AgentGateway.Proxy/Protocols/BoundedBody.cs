using System.Buffers;
using System.Text;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Protocols;

/// <summary>Reads an HTTP answer's body whole, up to a limit: a larger one is a <see cref="MessageTooLargeException"/>, never a buffer without end.</summary>
internal static class BoundedBody
{
    /// <param name="what">What the body is, for the exception's message (e.g. "the target's answer").</param>
    /// <param name="metric">The limit's name in <see cref="LimitMetrics"/>.</param>
    public static async Task<byte[]> ReadBytesAsync(HttpContent content, long limit, string what, string metric, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Headers.ContentLength > limit)
        {
            throw TooLarge(what, limit, metric);
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(content.Headers.ContentLength is > 0 and var length ? (int)Math.Min(length, limit) + 1 : 16 * 1024);
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, total).ToArray();
                }

                total += read;
                if (total > limit)
                {
                    throw TooLarge(what, limit, metric);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static async Task<string> ReadStringAsync(HttpContent content, long limit, string what, string metric, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await ReadBytesAsync(content, limit, what, metric, cancellationToken));

    /// <summary>The exception of a body over its limit, counted in <see cref="LimitMetrics"/>.</summary>
    public static MessageTooLargeException TooLarge(string what, long limit, string metric)
    {
        LimitMetrics.Exceeded(metric);
        return new MessageTooLargeException($"{what} is larger than the gateway reads ({Describe(limit)})");
    }

    /// <summary>A byte count as people read it: "16 MiB", "4096 bytes".</summary>
    public static string Describe(long bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} bytes";
}
