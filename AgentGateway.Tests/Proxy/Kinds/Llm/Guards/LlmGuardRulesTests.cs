using System.Text.Json.Nodes;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm;
using AgentGateway.Proxy.Kinds.Llm.Guards;
using AgentGateway.Proxy.Pipeline.Guards;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Guards;

/// <summary>The built-in detectors, guard config rules, and how a stream is held back and masked.</summary>
public sealed class LlmGuardRulesTests
{
    [Theory]
    [InlineData(PiiDetector.Email, "write to jane.doe+llm@mail.example.co.uk today", "jane.doe+llm@mail.example.co.uk")]
    [InlineData(PiiDetector.Phone, "call (415) 555-0100 now", "(415) 555-0100")]
    [InlineData(PiiDetector.Phone, "or +44 20 7946 0958", "+44 20 7946 0958")]
    [InlineData(PiiDetector.CreditCard, "card 4242-4242-4242-4242 ok", "4242-4242-4242-4242")]
    [InlineData(PiiDetector.CreditCard, "amex 378282246310005.", "378282246310005")]
    [InlineData(PiiDetector.Ssn, "ssn 123-45-6789", "123-45-6789")]
    [InlineData(PiiDetector.IpAddress, "from 10.20.30.40:8080", "10.20.30.40")]
    [InlineData(PiiDetector.Iban, "pay GB82 WEST 1234 5698 7654 32 by friday", "GB82 WEST 1234 5698 7654 32")]
    public void ADetector_FindsItsKindOfData(PiiDetector detector, string text, string found)
    {
        var (start, length) = Assert.Single(PiiDetectors.Find(detector, text));
        Assert.Equal(found, text.Substring(start, length));
    }

    [Theory]
    [InlineData(PiiDetector.Phone, "order 12345 shipped")]
    [InlineData(PiiDetector.Phone, "in 2026 we had 1500 users")]
    [InlineData(PiiDetector.CreditCard, "card 4242-4242-4242-4241 fails Luhn")]
    [InlineData(PiiDetector.Ssn, "ssn 000-45-6789 and 666-12-3456 and 900-12-3456 are no SSNs")]
    [InlineData(PiiDetector.IpAddress, "version 1.2.3 and 300.1.1.1")]
    [InlineData(PiiDetector.Iban, "GB82 WEST 1234 5698 7654 33 fails mod 97")]
    [InlineData(PiiDetector.Email, "an @ sign alone, or user@localhost")]
    public void ADetector_LeavesLookalikesAlone(PiiDetector detector, string text)
    {
        Assert.Empty(PiiDetectors.Find(detector, text));
    }

    [Fact]
    public void BadGuards_AreNamedByField()
    {
        var errors = new List<ConfigError>();
        var guards = ProtoJson.Parse<LlmGuards>(System.Text.Json.JsonDocument.Parse("""
            {
              "prompt": [
                {"name": "a", "patterns": ["("]},
                {"name": "a", "pii": ["email"]},
                {"name": "empty"}
              ],
              "answer": [{"name": "Bad Name", "patterns": ["x"], "replacement": "x"}],
              "webhooks": [{"name": "hook", "url": "ftp://moderation.example.com", "timeoutMs": 90000}],
              "streamCheckChars": 5
            }
            """).RootElement, "llmGuards", errors);
        Assert.Empty(errors);
        PolicyValidator.Validate(guards, "llmGuards", SecretSources.StandaloneFile, errors);
        Assert.Equal(
            ["llmGuards.streamCheckChars", "llmGuards.prompt[0].patterns[0]", "llmGuards.prompt[1].name", "llmGuards.prompt[2]", "llmGuards.answer[0].name", "llmGuards.webhooks[0].url", "llmGuards.webhooks[0].timeoutMs"],
            errors.Select(error => error.Field));

        errors.Clear();
        PolicyValidator.Validate(new LlmGuards(), "llmGuards", SecretSources.StandaloneFile, errors);
        Assert.Equal("llmGuards", Assert.Single(errors).Field);
    }

    [Fact]
    public async Task AStream_IsHeldBackOnlyAsMuchAsAMatchNeeds_AndMaskedWhole()
    {
        var guard = new CompiledGuard(new LlmGuard { Name = "pii", Pii = { PiiDetector.Email } });
        var stream = new StreamGuard([guard], LlmClientApi.OpenAiChat, []);
        var text = "Sure, write to someone.special@example.com and " + new string('x', 60) + " done.";
        // The answer arrives three characters at a time, as deltas do.
        var deltas = Enumerable.Range(0, (text.Length + 2) / 3).Select(index => text.Substring(index * 3, Math.Min(3, text.Length - (index * 3)))).ToList();

        var sent = new List<string>();
        await foreach (var sse in stream.ApplyAsync(Events(deltas)))
        {
            if (sse.Data != "[DONE]")
            {
                sent.Add((string?)JsonNode.Parse(sse.Data)!["choices"]![0]!["delta"]!["content"] ?? string.Empty);
            }
        }

        var masked = text.Replace("someone.special@example.com", "[EMAIL]", StringComparison.Ordinal);
        Assert.Equal(masked, string.Concat(sent));
        // No delta ever carried part of the address, and text went out while the answer streamed: before the last
        // delta, all but the held-back tail had been sent.
        Assert.DoesNotContain(sent, delta => delta.Contains('@', StringComparison.Ordinal) || delta.Contains("special", StringComparison.Ordinal));
        Assert.InRange(sent.Take(deltas.Count - 1).Sum(delta => delta.Length), masked.Length - StreamGuard.Holdback - 3, masked.Length - StreamGuard.Holdback + 3);
        Assert.Null(stream.Rejection);
    }

    [Fact]
    public async Task AStreamedToolCallsArguments_AreMaskedAsText_AndStayJson_EvenWithAQuoteInTheMask()
    {
        var guard = new CompiledGuard(new LlmGuard { Name = "pii", Pii = { PiiDetector.Email }, Replacement = "[an \"address\"]" });
        // A pattern that would run on past a string's closing quote, and a detector that matches a number: neither
        // breaks the JSON (the first is cut at the quote, the second is not in a string).
        var greedy = new CompiledGuard(new LlmGuard { Name = "codes", Patterns = { "secret\\S*" }, Replacement = "[CODE]" });
        var phones = new CompiledGuard(new LlmGuard { Name = "phones", Pii = { PiiDetector.Phone } });
        var stream = new StreamGuard([guard, greedy, phones], LlmClientApi.OpenAiChat, []);
        var arguments = """{"to": "someone.special@example.com", "subject": "Hello", "note": "secret-plan", "count": 4155550123}""";
        // The call's id and name first, then its arguments four characters at a time, then the finish reason.
        var chunks = new List<JsonObject> { Call(new JsonObject { ["index"] = 0, ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "send", ["arguments"] = string.Empty } }, null) };
        for (var offset = 0; offset < arguments.Length; offset += 4)
        {
            chunks.Add(Call(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = arguments.Substring(offset, Math.Min(4, arguments.Length - offset)) } }, null));
        }

        chunks.Add(Call(null, "tool_calls"));
        var sent = new List<string>();
        await foreach (var sse in stream.ApplyAsync(Chunks(chunks)))
        {
            if (sse.Data != "[DONE]")
            {
                sent.AddRange(JsonNode.Parse(sse.Data)!["choices"]![0]!["delta"]?["tool_calls"]?.AsArray().Select(call => (string?)call!["function"]?["arguments"] ?? string.Empty) ?? []);
            }
        }

        Assert.DoesNotContain(sent, piece => piece.Contains('@', StringComparison.Ordinal));
        var received = JsonNode.Parse(string.Concat(sent))!;
        Assert.Equal(("[an \"address\"]", "Hello", "[CODE]"), ((string?)received["to"], (string?)received["subject"], (string?)received["note"]));
        Assert.Equal(4155550123, (long)received["count"]!);

        static JsonObject Call(JsonObject? call, string? finish) => new()
        {
            ["id"] = "c1",
            ["object"] = "chat.completion.chunk",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = call is null ? new JsonObject() : new JsonObject { ["tool_calls"] = new JsonArray(call) },
                ["finish_reason"] = finish,
            }),
        };
    }

    private static async IAsyncEnumerable<SseEvent> Chunks(IEnumerable<JsonObject> chunks)
    {
        foreach (var chunk in chunks)
        {
            yield return new SseEvent(null, chunk.ToJsonString());
            await Task.Yield();
        }

        yield return new SseEvent(null, "[DONE]");
    }

    private static async IAsyncEnumerable<SseEvent> Events(IEnumerable<string> deltas)
    {
        var list = deltas.ToList();
        for (var index = 0; index < list.Count; index++)
        {
            var choice = new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = list[index] }, ["finish_reason"] = index == list.Count - 1 ? "stop" : null };
            yield return new SseEvent(null, new JsonObject { ["id"] = "c1", ["object"] = "chat.completion.chunk", ["choices"] = new JsonArray(choice) }.ToJsonString());
            await Task.Yield();
        }

        yield return new SseEvent(null, "[DONE]");
    }
}
