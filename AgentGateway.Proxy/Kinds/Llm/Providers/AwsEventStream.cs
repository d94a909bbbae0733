using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// Reads AWS's event stream encoding (<c>application/vnd.amazon.eventstream</c>, Bedrock's streams) as events: each
/// message is a prelude (total and headers length, CRC-32), headers, a payload and a CRC-32 of the whole. An event's
/// name is its <c>:event-type</c> header and its data the payload; an exception or error message becomes an event named
/// <c>error</c> whose data is <c>{"type": ..., "message": ...}</c>.
/// </summary>
internal static class AwsEventStream
{
    /// <summary>No message of Bedrock's comes near it; a larger length means the stream is not an event stream.</summary>
    private const int MaxMessageLength = 16 * 1024 * 1024;

    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prelude = new byte[12];
        while (await ReadExactlyOrEndAsync(stream, prelude, cancellationToken))
        {
            var total = BinaryPrimitives.ReadInt32BigEndian(prelude);
            var headersLength = BinaryPrimitives.ReadInt32BigEndian(prelude.AsSpan(4));
            if (total is < 16 or > MaxMessageLength || headersLength < 0 || headersLength > total - 16
                || BinaryPrimitives.ReadUInt32BigEndian(prelude.AsSpan(8)) != Crc32.HashToUInt32(prelude.AsSpan(0, 8)))
            {
                yield return Error("invalidEventStream", "The provider's stream is not a valid AWS event stream.");
                yield break;
            }

            var message = new byte[total];
            prelude.CopyTo(message, 0);
            if (!await ReadExactlyOrEndAsync(stream, message.AsMemory(12), cancellationToken)
                || BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(total - 4)) != Crc32.HashToUInt32(message.AsSpan(0, total - 4)))
            {
                yield return Error("invalidEventStream", "The provider's stream ended inside a message or a message's checksum does not match.");
                yield break;
            }

            Dictionary<string, string>? headers;
            try
            {
                headers = Headers(message.AsSpan(12, headersLength));
            }
            catch (Exception exception) when (exception is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                headers = null;
            }

            if (headers is null)
            {
                yield return Error("invalidEventStream", "A message of the provider's stream has headers that cannot be read.");
                yield break;
            }

            var payload = Encoding.UTF8.GetString(message, 12 + headersLength, total - headersLength - 16);
            var messageType = headers.GetValueOrDefault(":message-type", "event");
            if (messageType == "event")
            {
                yield return new SseEvent(headers.GetValueOrDefault(":event-type"), payload);
                continue;
            }

            var type = headers.GetValueOrDefault(":exception-type") ?? headers.GetValueOrDefault(":error-code") ?? messageType;
            var text = ProviderAdapter.ParseObject(payload) is { } body
                ? (string?)body["message"] ?? (string?)body["Message"]
                : null;
            yield return Error(type, text ?? headers.GetValueOrDefault(":error-message") ?? payload);
        }
    }

    private static SseEvent Error(string type, string message) =>
        new("error", new JsonObject { ["type"] = type, ["message"] = message }.ToJsonString());

    /// <summary>The string headers of a message; the values of other types are skipped.</summary>
    private static Dictionary<string, string> Headers(ReadOnlySpan<byte> span)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var offset = 0;
        while (offset < span.Length)
        {
            var nameLength = span[offset++];
            var name = Encoding.UTF8.GetString(span.Slice(offset, nameLength));
            offset += nameLength;
            var type = span[offset++];
            var length = type switch
            {
                0 or 1 => 0,
                2 => 1,
                3 => 2,
                4 => 4,
                5 or 8 => 8,
                9 => 16,
                6 or 7 => -1,
                _ => throw new InvalidDataException($"Unknown event stream header type {type}."),
            };
            if (length < 0)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
                offset += 2;
                if (type == 7)
                {
                    headers[name] = Encoding.UTF8.GetString(span.Slice(offset, length));
                }
            }

            offset += length;
        }

        return headers;
    }

    /// <summary>Fills <paramref name="buffer"/>; false when the stream ends before (at its start: the stream's end).</summary>
    private static async ValueTask<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await stream.ReadAsync(buffer[read..], cancellationToken);
            if (count == 0)
            {
                return false;
            }

            read += count;
        }

        return true;
    }
}
