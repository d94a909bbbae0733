using System.Net.ServerSentEvents;
using System.Text;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Tests.Proxy.Limits;

/// <summary>Reads of upstream answers are bounded: a body past its limit, and one event of a stream past its limit, stop the read.</summary>
public sealed class BoundedReadsTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABody_IsReadUpToItsLimit_AndNoFurther()
    {
        using var fits = new ByteArrayContent(new byte[1024]);
        Assert.Equal(1024, (await BoundedBody.ReadBytesAsync(fits, 1024, "the answer", LimitMetrics.UpstreamMessage, Cancellation)).Length);

        // Declared too large, or sent larger than declared nothing: both are refused.
        using var declared = new ByteArrayContent(new byte[1025]);
        var failure = await Assert.ThrowsAsync<MessageTooLargeException>(() => BoundedBody.ReadBytesAsync(declared, 1024, "the answer", LimitMetrics.UpstreamMessage, Cancellation));
        Assert.Equal("the answer is larger than the gateway reads (1 KiB)", failure.Message);
        using var undeclared = new StreamContent(new MemoryStream(new byte[5000]));
        undeclared.Headers.ContentLength = null;
        await Assert.ThrowsAsync<MessageTooLargeException>(() => BoundedBody.ReadBytesAsync(undeclared, 1024, "the answer", LimitMetrics.UpstreamMessage, Cancellation));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public async Task AStream_OfManySmallEvents_PassesWhole_WhateverItsLineEnds(string end)
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(index => $"data: {new string('x', 500)}{end}id: {index}{end}{end}"));
        var stream = new SseEventLimit(new MemoryStream(Encoding.UTF8.GetBytes(text)), 1024, "an event");
        var events = await SseParser.Create(stream).EnumerateAsync(Cancellation).CountAsync(Cancellation);
        Assert.Equal(200, events);
    }

    [Fact]
    public async Task OneEventPastTheLimit_StopsTheStream_EvenSpreadOverManyLines()
    {
        var text = "data: small\n\n" + string.Concat(Enumerable.Range(0, 50).Select(_ => $"data: {new string('y', 100)}\n")) + "\n";
        var stream = new SseEventLimit(new MemoryStream(Encoding.UTF8.GetBytes(text)), 1024, "an event");
        var failure = await Assert.ThrowsAsync<MessageTooLargeException>(async () => await SseParser.Create(stream).EnumerateAsync(Cancellation).CountAsync(Cancellation));
        Assert.Contains("an event is larger than the gateway reads", failure.Message, StringComparison.Ordinal);
    }
}
