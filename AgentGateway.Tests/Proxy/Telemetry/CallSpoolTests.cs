using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Telemetry.Reporting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentGateway.Tests.Proxy.Telemetry;

/// <summary>The call record spool: batches on disk, oldest first, whole or not at all, bounded, found again after a restart.</summary>
public sealed class CallSpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-spool-unit-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Batches_AreReadBackOldestFirst_AlsoByANewSpoolOnTheSameDirectory()
    {
        var spool = new CallSpool(_directory, 1024 * 1024, NullLogger.Instance);
        spool.Write(Batch("a", 3));
        spool.Write(Batch("b", 2));

        // A restarted proxy finds them.
        var again = new CallSpool(_directory, 1024 * 1024, NullLogger.Instance);
        var segments = again.Segments();
        Assert.Equal(2, segments.Count);
        Assert.Equal(["a0", "a1", "a2"], CallSpool.Read(segments[0]).Select(record => record.Route));
        Assert.Equal(["b0", "b1"], CallSpool.Read(segments[1]).Select(record => record.Route));
        CallSpool.Delete(segments[0]);
        Assert.Single(again.Segments());
    }

    [Fact]
    public void PastItsBound_TheOldestBatchesGo_NeverTheNewest()
    {
        var spool = new CallSpool(_directory, 2_000, NullLogger.Instance);
        for (var batch = 0; batch < 10; batch++)
        {
            spool.Write(Batch($"batch{batch}-", 10));
        }

        var segments = spool.Segments();
        Assert.InRange(segments.Sum(segment => new FileInfo(segment).Length), 1, 2_000 + new FileInfo(segments[^1]).Length);
        Assert.Equal("batch9-0", CallSpool.Read(segments[^1])[0].Route);
        Assert.DoesNotContain(segments, segment => CallSpool.Read(segment)[0].Route == "batch0-0");
    }

    [Fact]
    public void ASpoolItCannotWrite_SaysSo_AndThrowsNothing()
    {
        // A file where the directory should be: nothing can be created below it.
        Directory.CreateDirectory(_directory);
        var blocked = Path.Combine(_directory, "not-a-directory");
        File.WriteAllText(blocked, "in the way");
        var spool = new CallSpool(Path.Combine(blocked, "spool"), 1024 * 1024, NullLogger.Instance);
        Assert.False(spool.Write(Batch("d", 2)));
        Assert.Empty(spool.Segments());
        Assert.True(spool.Write([]));
    }

    [Fact]
    public void ADamagedTail_LosesOnlyWhatWasCut()
    {
        var spool = new CallSpool(_directory, 1024 * 1024, NullLogger.Instance);
        spool.Write(Batch("c", 4));
        var segment = Assert.Single(spool.Segments());
        var bytes = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, bytes[..^5]);
        Assert.Equal(["c0", "c1", "c2"], CallSpool.Read(segment).Select(record => record.Route));
    }

    [Fact]
    public void Arguments_HaveSecretLookingKeysRedacted_AtAnyDepth_AndAreClipped()
    {
        var arguments = System.Text.Json.Nodes.JsonNode.Parse("""{"query":"weather","auth":{"apiKey":"k-123","nested":[{"password":"p"}]},"Token":"t"}""");
        var redacted = CallRecorder.RedactArguments(arguments);
        Assert.Equal("""{"query":"weather","auth":{"apiKey":"[redacted]","nested":[{"password":"[redacted]"}]},"Token":"[redacted]"}""", redacted);
        var large = CallRecorder.RedactArguments(System.Text.Json.Nodes.JsonValue.Create(new string('x', 10_000)));
        Assert.True(large.Length < CallRecorder.MaxArguments + 10);
        Assert.EndsWith("(cut)", large, StringComparison.Ordinal);
    }

    private static List<CallRecord> Batch(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(index => new CallRecord { Id = Guid.NewGuid().ToString("N"), Tenant = "t", Route = prefix + index, Arguments = new string('x', 50) })];

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
