using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Telemetry.Reporting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentGateway.Tests.Proxy.Telemetry.Reporting;

/// <summary>
/// The record journal: records on disk from moments after they were made, in segments sealed for reports, read oldest
/// first, whole or cut only where a crash cut them, bounded, found again by the next process, kinds apart.
/// </summary>
public sealed class RecordJournalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-journal-unit-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void SealedBatches_AreReadBackOldestFirst_AlsoByANewJournalOnTheSameDirectory()
    {
        var journal = Calls(1024 * 1024);
        journal.Append(Batch("a", 2));
        journal.Append(Batch("a", 1, from: 2));
        journal.Seal();
        journal.Append(Batch("b", 2));
        journal.Seal();
        journal.Seal();

        // A restarted proxy finds them; a journal of another kind on the same directory does not.
        var again = Calls(1024 * 1024);
        var segments = again.Segments();
        Assert.Equal(2, segments.Count);
        Assert.Equal(["a0", "a1", "a2"], again.Read(segments[0]).Select(record => record.Route));
        Assert.Equal(["b0", "b1"], again.Read(segments[1]).Select(record => record.Route));
        Assert.Empty(new RecordJournal<LlmUsageRecord>(_directory, "usage", LlmUsageRecord.Parser, 1024 * 1024, NullLogger.Instance).Segments());
        RecordJournal<CallRecord>.Delete(segments[0]);
        Assert.Single(again.Segments());
    }

    [Fact]
    public void RecordsAppendedButNeverSealed_ByAProcessThatDied_AreSealedAndReadByTheNext()
    {
        var dying = Calls(1024 * 1024);
        dying.Append(Batch("before-the-crash", 3));
        Assert.Empty(dying.Segments());
        Assert.Equal(3, dying.OpenCount);

        // No Seal, no Dispose: the process is gone. The next one on the directory sends what it left.
        var next = Calls(1024 * 1024);
        var segment = Assert.Single(next.Segments());
        Assert.Equal(["before-the-crash0", "before-the-crash1", "before-the-crash2"], next.Read(segment).Select(record => record.Route));
        Assert.EndsWith("-3.calls", segment, StringComparison.Ordinal);
    }

    [Fact]
    public void PastItsBound_TheOldestSegmentsGo_NeverTheNewest()
    {
        var journal = Calls(2_000);
        for (var batch = 0; batch < 10; batch++)
        {
            journal.Append(Batch($"batch{batch}-", 10));
            journal.Seal();
        }

        var segments = journal.Segments();
        Assert.InRange(segments.Sum(segment => new FileInfo(segment).Length), 1, 2_000 + new FileInfo(segments[^1]).Length);
        Assert.Equal("batch9-0", journal.Read(segments[^1])[0].Route);
        Assert.DoesNotContain(segments, segment => journal.Read(segment)[0].Route == "batch0-0");
    }

    [Fact]
    public void AJournalItCannotWrite_SaysSo_AndThrowsNothing()
    {
        // A file where the directory should be: nothing can be created below it.
        Directory.CreateDirectory(_directory);
        var blocked = Path.Combine(_directory, "not-a-directory");
        File.WriteAllText(blocked, "in the way");
        var journal = new RecordJournal<CallRecord>(Path.Combine(blocked, "journal"), "calls", CallRecord.Parser, 1024 * 1024, NullLogger.Instance);
        Assert.False(journal.Append(Batch("d", 2)));
        Assert.Empty(journal.Segments());
        Assert.True(journal.Append([]));
        journal.Seal();
    }

    [Fact]
    public void ADamagedTail_LosesOnlyWhatWasCut()
    {
        var journal = Calls(1024 * 1024);
        journal.Append(Batch("c", 4));
        journal.Seal();
        var segment = Assert.Single(journal.Segments());
        var bytes = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, bytes[..^5]);
        Assert.Equal(["c0", "c1", "c2"], journal.Read(segment).Select(record => record.Route));
    }

    private RecordJournal<CallRecord> Calls(long maxBytes) => new(_directory, "calls", CallRecord.Parser, maxBytes, NullLogger.Instance);

    private static List<CallRecord> Batch(string prefix, int count, int from = 0) =>
        [.. Enumerable.Range(from, count).Select(index => new CallRecord { Id = Guid.NewGuid().ToString("N"), Tenant = "t", Route = prefix + index, Arguments = new string('x', 50) })];

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

public sealed class CallRecorderTests
{
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
}
