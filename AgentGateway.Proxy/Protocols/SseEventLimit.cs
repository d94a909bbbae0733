using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Protocols;

/// <summary>
/// An upstream's event stream with a bound on each event: the bytes between two event boundaries (a blank line) may
/// not exceed the limit, so an upstream cannot make the proxy buffer one endless event. Reads pass through unchanged;
/// the read that goes over throws a <see cref="MessageTooLargeException"/>.
/// </summary>
internal sealed class SseEventLimit(Stream inner, long limit, string what) : Stream
{
    private long _sinceBoundary;
    private bool _lineEnded;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Count(buffer.Span[..read]);
        return read;
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        await ReadAsync(buffer.AsMemory(offset, count), cancellationToken);

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Count(buffer.AsSpan(offset, read));
        return read;
    }

    /// <summary>Counts the bytes since the last blank line ("\n\n", "\r\n\r\n" or "\r\r"), line ends in any form.</summary>
    private void Count(ReadOnlySpan<byte> bytes)
    {
        foreach (var value in bytes)
        {
            if (value is (byte)'\n' or (byte)'\r')
            {
                if (_lineEnded && value == (byte)'\n' && _previousWasCarriageReturn)
                {
                    // The "\n" of a "\r\n" line end: the same end as the "\r" before it.
                    _previousWasCarriageReturn = false;
                    continue;
                }

                if (_lineEnded)
                {
                    _sinceBoundary = 0;
                }

                _lineEnded = true;
                _previousWasCarriageReturn = value == (byte)'\r';
                continue;
            }

            _lineEnded = false;
            _previousWasCarriageReturn = false;
            if (++_sinceBoundary > limit)
            {
                throw BoundedBody.TooLarge(what, limit, LimitMetrics.UpstreamMessage);
            }
        }
    }

    private bool _previousWasCarriageReturn;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
