using System.Net.Sockets;
using System.Text;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// HTTP/1.1 exactly as written: the request line, headers and body bytes go on the wire as given (no client-side
/// normalization, validation or encoding), and the whole answer is read back, so a test sees what a hostile client
/// would — including a connection the server drops without answering.
/// </summary>
public static class RawHttp
{
    /// <summary>An answer: its status (-1 when the connection ended before one), headers (lower-case names) and body (de-chunked).</summary>
    public sealed record Answer(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool Complete)
    {
        public string Text => Encoding.UTF8.GetString(Body);

        public string? ContentType => Headers.GetValueOrDefault("content-type");
    }

    /// <summary>
    /// Sends one request on a new connection (<c>Connection: close</c>) and reads the answer. An event stream that
    /// stays open is read for <paramref name="streamWindow"/> and then closed by the client.
    /// </summary>
    public static async Task<Answer> SendAsync(Uri server, byte[] request, CancellationToken cancellationToken, TimeSpan? streamWindow = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancellationToken);
        await using var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cancellationToken);
        }
        catch (IOException)
        {
            // The server may answer (and close) before it has read a large body; the answer is still read below.
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        var headerEnd = -1;
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(20));
        Dictionary<string, string>? headers = null;
        var status = -1;
        var complete = false;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await stream.ReadAsync(chunk, window.Token);
                }
                catch (IOException)
                {
                    break;
                }

                if (read == 0)
                {
                    complete = true;
                    break;
                }

                buffer.Write(chunk, 0, read);
                if (headerEnd < 0 && IndexOf(buffer.GetBuffer(), (int)buffer.Length, "\r\n\r\n"u8) is var end and >= 0)
                {
                    headerEnd = end + 4;
                    (status, headers) = ParseHead(Encoding.ASCII.GetString(buffer.GetBuffer(), 0, end));
                    if (headers.GetValueOrDefault("content-type")?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true)
                    {
                        // A stream stays open: read what comes within the window, then leave.
                        window.CancelAfter(streamWindow ?? TimeSpan.FromMilliseconds(1500));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && headers is not null)
        {
            complete = true;
        }

        var all = buffer.ToArray();
        if (headerEnd < 0)
        {
            return new Answer(-1, new Dictionary<string, string>(), all, false);
        }

        var body = all[headerEnd..];
        if (headers!.GetValueOrDefault("transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            body = Dechunk(body);
        }

        return new Answer(status, headers!, body, complete);
    }

    /// <summary>A request as bytes: the request line, the headers as given, then the body with its Content-Length.</summary>
    public static byte[] Request(string method, string target, IEnumerable<(string Name, byte[] Value)> headers, byte[]? body)
    {
        var head = new MemoryStream();
        head.Write(Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\n"));
        foreach (var (name, value) in headers)
        {
            head.Write(Encoding.ASCII.GetBytes(name + ": "));
            head.Write(value);
            head.Write("\r\n"u8);
        }

        head.Write(Encoding.ASCII.GetBytes($"Content-Length: {body?.Length ?? 0}\r\nConnection: close\r\n\r\n"));
        if (body is not null)
        {
            head.Write(body);
        }

        return head.ToArray();
    }

    private static (int Status, Dictionary<string, string> Headers) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        var status = parts.Length > 1 && int.TryParse(parts[1], out var parsed) ? parsed : -1;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                var name = line[..colon].Trim().ToLowerInvariant();
                headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + line[(colon + 1)..].Trim() : line[(colon + 1)..].Trim();
            }
        }

        return (status, headers);
    }

    private static byte[] Dechunk(byte[] body)
    {
        var output = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = IndexOf(body.AsSpan(position), body.Length - position, "\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(body, position, lineEnd).Split(';')[0];
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            position += lineEnd + 2;
            output.Write(body, position, Math.Min(size, body.Length - position));
            position += size + 2;
        }

        return output.ToArray();
    }

    private static int IndexOf(ReadOnlySpan<byte> data, int length, ReadOnlySpan<byte> value) => data[..length].IndexOf(value);
}
