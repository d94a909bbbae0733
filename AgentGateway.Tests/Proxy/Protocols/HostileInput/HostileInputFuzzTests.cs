using System.Text;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Protocols.HostileInput;

/// <summary>
/// Seeded hostile requests at the MCP and A2A endpoints, written byte for byte: broken and deep JSON, invalid UTF-8 and
/// lone surrogates, ids of every shape, wrong and missing headers, control characters, foreign and forged sessions,
/// every HTTP method. Every one must get a complete answer below 500 that shows no exception text, echoes the id as
/// sent (or refuses with none), and calls an undecodable body a parse error (-32700).
/// </summary>
public sealed class HostileInputFuzzTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    private const int RequestsPerKind = 400;

    private static readonly string[] s_leaks = ["Exception", "   at ", "System.", "Microsoft.", "AgentGateway.", "StackTrace", "Npgsql", "YamlDotNet"];

    private static readonly string[] s_ids =
    [
        "1", "0", "-7", "1.5", "1e400", "123456789012345678901234567890", "\"abc\"", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\uDC00x\"", "\"🙂\"",
        "\"\\\"quoted\\\"\"", "null", "true", "[]", "{}", "9007199254740993", "-0", "1E+2",
    ];

    private static readonly string[] s_mcpMethods =
    [
        "\"ping\"", "\"tools/list\"", "\"tools/call\"", "\"initialize\"", "\"resources/list\"", "\"prompts/list\"", "\"resources/read\"", "\"prompts/get\"",
        "\"notifications/initialized\"", "\"notifications/cancelled\"", "\"completion/complete\"", "\"logging/setLevel\"", "\"server/discover\"",
        "\"resources/subscribe\"", "\"tasks/get\"", "\"\"", "123", "null", "\"\\ud800\"", "\"tools/call\\u0000\"", "\"" + new string('m', 5000) + "\"", "\"../../admin\"",
    ];

    private static readonly string[] s_params =
    [
        "{}", "{\"name\":\"utils_echo\",\"arguments\":{\"message\":\"hi\"}}", "{\"name\":\"utils_echo\",\"arguments\":{\"message\":\"\\ud800\"}}",
        "{\"name\":\"nope_nope\"}", "{\"name\":123}", "{\"uri\":\"utils+x://y\"}", "{\"uri\":\"\"}", "[]", "\"text\"", "null", "42",
        string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300),
        "{\"name\":\"utils_echo\",\"arguments\":{\"message\":\"" + new string('x', 20_000) + "\"}}", "{\"cursor\":\"%%garbage%%\"}",
        "{\"protocolVersion\":\"9999-99-99\",\"capabilities\":[],\"clientInfo\":7}", "{\"_meta\":{\"progressToken\":{\"a\":[1,2]}}}",
        "{\"requestId\":\"nope\",\"reason\":\"\\udfff\"}", "{\"level\":\"catastrophic\"}", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"x\"},\"argument\":{}}",
    ];

    private static readonly string[] s_wholeBodies =
    [
        "", " ", "null", "[]", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", "{\"id\":1,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}garbage", "{'jsonrpc':'2.0'}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":99,\"error\":{\"code\":1,\"message\":\"x\"}}", new string('[', 100_000), "NaN", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} // c",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}", "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", "\"just a string\"", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\",\"params\":[]}",
    ];

    private static readonly string[] s_a2aMethods =
    [
        "\"message/send\"", "\"SendMessage\"", "\"tasks/get\"", "\"GetTask\"", "\"tasks/cancel\"", "\"message/stream\"", "\"tasks/pushNotificationConfig/set\"",
        "\"CreateTaskPushNotificationConfig\"", "\"\"", "7", "null", "\"\\ud800\"", "\"GetExtendedAgentCard\"", "\"" + new string('a', 3000) + "\"",
    ];

    private static readonly string[] s_a2aParams =
    [
        "{\"message\":{\"role\":\"user\",\"messageId\":\"m1\",\"parts\":[{\"kind\":\"text\",\"text\":\"hi\"}]}}",
        "{\"message\":{\"role\":\"user\",\"messageId\":\"m1\",\"parts\":[{\"kind\":\"text\",\"text\":\"\\ud800\"}]}}", "{\"id\":\"task-1\"}", "{\"id\":17}",
        "{\"taskId\":\"t\",\"pushNotificationConfig\":{\"url\":\"http://169.254.169.254/latest/meta-data\"}}", "{\"url\":\"file:///etc/passwd\"}",
        "{\"message\":{\"metadata\":{\"skillId\":{\"nested\":true}},\"parts\":\"no\"}}", "[]", "null", "\"x\"", "{}",
        "{\"configuration\":{\"pushNotificationConfig\":{\"url\":\"http://10.0.0.1/\"}},\"message\":{}}",
    ];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task McpEndpoint_AnswersEveryHostileRequestCleanly()
    {
        var random = new Random(20261206);
        var requests = Enumerable.Range(0, RequestsPerKind).Select(index => McpCase(random, index)).ToList();
        await AssertAnsweredCleanlyAsync("MCP", requests);
    }

    [Fact]
    public async Task A2aEndpoint_AnswersEveryHostileRequestCleanly()
    {
        var random = new Random(61206);
        var requests = Enumerable.Range(0, RequestsPerKind).Select(_ => A2aCase(random)).ToList();
        await AssertAnsweredCleanlyAsync("A2A", requests);
    }

    [Theory]
    [InlineData("/acme/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\\ud800\"}}")]
    [InlineData("/acme/agent", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"x\":\"\\udc00\"}}")]
    public async Task LoneSurrogatesAndInvalidUtf8_AreParseErrors(string path, string json)
    {
        foreach (var body in new[] { Encoding.UTF8.GetBytes(json), [.. Encoding.UTF8.GetBytes(json)[..20], 0xC3, 0x28, .. Encoding.UTF8.GetBytes(json)[20..]] })
        {
            var answer = await RawHttp.SendAsync(fixture.Proxy, RawHttp.Request("POST", path, McpHeaders(fixture.SessionId), body), Cancellation);
            Assert.Equal(400, answer.Status);
            using var document = JsonDocument.Parse(answer.Body);
            Assert.Equal(-32700, document.RootElement.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("id").ValueKind);
        }
    }

    [Theory]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1e400")]
    [InlineData("-0.000001")]
    [InlineData("\"an id \\u2603 with \\\"quotes\\\"\"")]
    public async Task Ids_AreEchoedExactlyAsSent(string id)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\"}}");
        var answer = await RawHttp.SendAsync(fixture.Proxy, RawHttp.Request("POST", "/acme/mcp", McpHeaders(fixture.SessionId), body), Cancellation);
        Assert.Equal(200, answer.Status);
        var echoed = Messages(answer).Single().GetProperty("id");
        Assert.True(SameId(id, echoed), $"{id} came back as {echoed.GetRawText()}");
    }

    [Theory]
    [InlineData(null, 406)]
    [InlineData("text/html", 406)]
    [InlineData("application/json", 406)]
    [InlineData("text/event-stream", 406)]
    [InlineData("application/json, text/event-stream;q=0", 406)]
    [InlineData("*/*", 200)]
    [InlineData("application/*, text/*", 200)]
    public async Task Post_NeedsAnAcceptOfBothMediaTypes(string? accept, int status)
    {
        var headers = McpHeaders(fixture.SessionId).Where(header => header.Name != "Accept").ToList();
        if (accept is not null)
        {
            headers.Add(("Accept", Encoding.ASCII.GetBytes(accept)));
        }

        var answer = await RawHttp.SendAsync(fixture.Proxy, RawHttp.Request("POST", "/acme/mcp", headers, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"u8.ToArray()), Cancellation);
        Assert.Equal(status, answer.Status);
        if (status == 406)
        {
            Assert.Contains("application/json and text/event-stream", answer.Text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ab cd", true)]
    [InlineData("x\u0001y", false)]
    [InlineData("sess\u00e9", false)]
    public async Task MalformedSessionIds_Are400(string sessionId, bool jsonRpc)
    {
        var headers = McpHeaders(fixture.SessionId).Where(header => header.Name != "Mcp-Session-Id").Append(("Mcp-Session-Id", Encoding.Latin1.GetBytes(sessionId)));
        var answer = await RawHttp.SendAsync(fixture.Proxy, RawHttp.Request("POST", "/acme/mcp", headers, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"u8.ToArray()), Cancellation);
        Assert.Equal(400, answer.Status);
        if (jsonRpc)
        {
            Assert.Contains("visible ASCII", answer.Text, StringComparison.Ordinal);
        }
    }

    private async Task AssertAnsweredCleanlyAsync(string kind, List<HostileRequest> requests)
    {
        var failures = new List<string>();
        foreach (var request in requests)
        {
            var answer = await RawHttp.SendAsync(fixture.Proxy, request.Bytes(), Cancellation, TimeSpan.FromMilliseconds(400));
            Check(request, answer, failures);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} hostile {kind} requests were answered badly:\n{string.Join("\n", failures.Take(25))}");

        // The generator reaches what it is meant to: undecodable bodies at the parser, and ids of every shape.
        Assert.True(requests.Count(request => request.ReachesParser && request.BrokenEncoding) >= 20, "too few undecodable bodies reached the parser");
        Assert.True(requests.Count(request => request.ReachesParser && request.IdText is not null && !request.BrokenEncoding) >= 50, "too few ids to check");
    }

    private static List<(string Name, byte[] Value)> McpHeaders(string sessionId) =>
    [
        ("Host", "127.0.0.1"u8.ToArray()),
        ("Accept", "application/json, text/event-stream"u8.ToArray()),
        ("Content-Type", "application/json"u8.ToArray()),
        ("Mcp-Session-Id", Encoding.ASCII.GetBytes(sessionId)),
    ];

    private HostileRequest McpCase(Random random, int index)
    {
        var target = random.Next(20) switch
        {
            0 => "/acme/mcp/message?sessionId=" + Pick(random, ["nope", "", "%00", fixture.SessionId]),
            1 => "/acme/mcp/sse",
            2 => "/acme/mcp?x=" + new string('q', 100),
            _ => "/acme/mcp",
        };
        var method = random.Next(25) switch
        {
            0 or 1 => "GET",
            2 => "DELETE",
            3 => "PUT",
            4 => "PATCH",
            5 => "OPTIONS",
            6 => "HEAD",
            _ => "POST",
        };
        var request = new HostileRequest(method, target, $"mcp #{index}");
        var (body, id, broken) = JsonRpcBody(random, s_mcpMethods, s_params);
        request.Body = method is "GET" or "HEAD" or "DELETE" && random.Next(3) > 0 ? null : body;
        request.IdText = request.Body is null ? null : id;
        request.BrokenEncoding = request.Body is not null && broken;

        var accept = random.Next(24) switch
        {
            0 => null,
            1 => "text/html",
            2 => "application/json",
            3 => "text/event-stream",
            4 => "*/*",
            5 => ";;;,,,=",
            _ => "application/json, text/event-stream",
        };
        var contentType = random.Next(20) switch
        {
            0 => null,
            1 => "text/plain",
            2 => "application/json; charset=utf-16",
            3 => "application/x-www-form-urlencoded",
            _ => "application/json",
        };
        var host = random.Next(10) switch { 0 => "evil.example", 1 => "127.0.0.1:1", _ => "127.0.0.1" };
        request.Header("Host", host);
        if (accept is not null)
        {
            request.Header("Accept", accept);
        }

        if (contentType is not null)
        {
            request.Header("Content-Type", contentType);
        }

        var session = random.Next(12) switch
        {
            0 => null,
            1 => fixture.ForeignSessionId,
            2 => "abc",
            3 => new string('a', 8000),
            4 => "ab cd",
            5 => "x\u0001y",
            6 => "sess\u00e9",
            7 => Tamper(fixture.SessionId, random),
            _ => method == "DELETE" ? fixture.ForeignSessionId : fixture.SessionId,
        };
        if (session is not null)
        {
            request.Header("Mcp-Session-Id", session, latin1: true);
        }

        if (random.Next(3) == 0)
        {
            request.Header("MCP-Protocol-Version", Pick(random, ["2025-11-25", "2026-07-28", "1999-01-01", "x", "2025-03-26"]));
        }

        if (random.Next(10) == 0)
        {
            request.Header("Last-Event-ID", Pick(random, ["garbage", "utils:1", "notes:", ":::", new string('e', 3000)]));
        }

        if (random.Next(10) == 0)
        {
            request.Header("Mcp-Method", Pick(random, ["tools/call", "nope", "=?base64?!!?="]));
            request.Header("Mcp-Name", Pick(random, ["utils_echo", "=?base64?AAAA?=", "=?base64?####?="]));
        }

        // What the MCP parser sees: a POST to the endpoint with the transport's headers, from a host the DNS-rebinding
        // check accepts, with a session header the server reads at all (the server refuses control and non-ASCII bytes).
        request.ReachesParser = method == "POST" && target == "/acme/mcp" && accept == "application/json, text/event-stream" && contentType == "application/json"
            && host != "evil.example" && !request.HasUnreadableHeader;
        return request;
    }

    private static HostileRequest A2aCase(Random random)
    {
        var (target, method, jsonRpc) = random.Next(14) switch
        {
            0 => ("/acme/agent/.well-known/agent-card.json", "GET", false),
            1 => ("/acme/agent/v1/message:send", "POST", false),
            2 => ("/acme/agent/v1/tasks/abc", "GET", false),
            3 => ("/acme/agent/v1/tasks/abc:cancel", "POST", false),
            4 => ("/acme/agent/v1/tasks/abc/pushNotificationConfigs", "POST", false),
            5 => ("/acme/agent/%2e%2e/%2e%2e/etc", "GET", false),
            6 => ("/acme/agent", Pick(random, ["GET", "PUT", "DELETE", "OPTIONS", "PATCH"]), false),
            _ => ("/acme/agent", "POST", true),
        };
        var request = new HostileRequest(method, target, $"a2a {method} {target}");
        var (body, id, broken) = JsonRpcBody(random, s_a2aMethods, s_a2aParams);
        if (!jsonRpc && method is "POST" or "PUT" or "PATCH")
        {
            body = random.Next(2) == 0 ? body : Encoding.UTF8.GetBytes(Pick(random, s_a2aParams));
        }

        request.Body = method is "POST" or "PUT" or "PATCH" ? body : null;
        request.IdText = jsonRpc ? id : null;
        request.BrokenEncoding = request.Body is not null && broken;
        request.Header("Host", "127.0.0.1");
        if (random.Next(8) > 0)
        {
            request.Header("Content-Type", Pick(random, ["application/json", "application/json", "application/a2a+json", "text/plain", "application/json; charset=latin1"]));
        }

        if (random.Next(4) == 0)
        {
            request.Header("A2A-Version", Pick(random, ["1.0", "0.3", "99", "\u00ff", ""]), latin1: true);
        }

        if (random.Next(4) == 0)
        {
            request.Header("Accept", Pick(random, ["text/event-stream", "application/json", "*/*", "garbage/"]));
        }

        request.ReachesParser = jsonRpc && !request.HasUnreadableHeader;
        return request;
    }

    /// <summary>A JSON-RPC body from templates: its bytes, the raw text of its id (when it has one), and whether its encoding is broken.</summary>
    private static (byte[] Body, string? Id, bool Broken) JsonRpcBody(Random random, string[] methods, string[] parameters)
    {
        if (random.Next(6) == 0)
        {
            var whole = Pick(random, s_wholeBodies);
            var idMatch = System.Text.RegularExpressions.Regex.Match(whole, "^\\{\"jsonrpc\":\"2.0\",\"id\":(\\d+),\"method\":\"ping\"\\}$");
            return (Encoding.UTF8.GetBytes(whole), idMatch.Success ? idMatch.Groups[1].Value : null, false);
        }

        var id = random.Next(8) == 0 ? null : Pick(random, s_ids);
        var text = new StringBuilder("{\"jsonrpc\":\"2.0\"");
        if (id is not null)
        {
            text.Append(",\"id\":").Append(id);
        }

        text.Append(",\"method\":").Append(Pick(random, methods));
        if (random.Next(5) > 0)
        {
            text.Append(",\"params\":").Append(Pick(random, parameters));
        }

        text.Append('}');
        var json = text.ToString();
        var loneSurrogate = json.Contains("\\ud800", StringComparison.Ordinal) || json.Contains("\\uDC00", StringComparison.Ordinal) || json.Contains("\\udfff", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(json);
        if (random.Next(6) == 0)
        {
            // Invalid UTF-8 inside the document: a stray byte, an overlong encoding, an encoded surrogate, a cut sequence.
            byte[][] corruptions = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]];
            var at = random.Next(1, bytes.Length - 1);
            bytes = [.. bytes[..at], .. Pick(random, corruptions), .. bytes[at..]];
            return (bytes, id, true);
        }

        return (bytes, id, loneSurrogate);
    }

    private static void Check(HostileRequest request, RawHttp.Answer answer, List<string> failures)
    {
        void Fail(string what) => failures.Add($"{request.Description}: {what} — {request.Summary()} → {answer.Status} {Truncate(answer.Text)}");

        if (answer.Status < 0)
        {
            Fail("no answer: the connection ended first");
            return;
        }

        if (answer.Status >= 500)
        {
            Fail("a server error");
        }

        var text = answer.Text;
        if (s_leaks.FirstOrDefault(leak => text.Contains(leak, StringComparison.Ordinal)) is { } leak)
        {
            Fail($"the body shows '{leak}'");
        }

        var messages = Messages(answer);
        if (request.BrokenEncoding && request.ReachesParser)
        {
            var code = messages.Select(message => message.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var value) ? value.GetRawText() : null).FirstOrDefault();
            if (code != "-32700")
            {
                Fail("an undecodable body is not a parse error (-32700)");
            }
        }

        if (request.IdText is { } sent && !request.BrokenEncoding && IsIdValue(sent))
        {
            foreach (var message in messages)
            {
                if (message.TryGetProperty("id", out var echoed) && echoed.ValueKind != JsonValueKind.Null && !SameId(sent, echoed))
                {
                    Fail($"the id {sent} came back as {echoed.GetRawText()}");
                }
            }
        }
    }

    /// <summary>The JSON-RPC messages of an answer: its JSON body, or the data of its events.</summary>
    private static List<JsonElement> Messages(RawHttp.Answer answer)
    {
        var messages = new List<JsonElement>();
        IEnumerable<string> texts = answer.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true
            ? answer.Text.Split('\n').Where(line => line.StartsWith("data:", StringComparison.Ordinal)).Select(line => line[5..].Trim())
            : answer.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true ? [answer.Text] : [];
        foreach (var text in texts)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("jsonrpc", out _))
                {
                    messages.Add(document.RootElement.Clone());
                }
            }
            catch (JsonException)
            {
            }
        }

        return messages;
    }

    private static bool IsIdValue(string raw) => raw.Length > 0 && (raw[0] == '"' || raw[0] == '-' || char.IsAsciiDigit(raw[0]));

    /// <summary>An id is echoed when a number comes back with the very same digits, and a string with the same characters.</summary>
    private static bool SameId(string sent, JsonElement echoed)
    {
        if (sent[0] == '"')
        {
            return echoed.ValueKind == JsonValueKind.String && echoed.GetString() == JsonDocument.Parse(sent).RootElement.GetString();
        }

        return echoed.ValueKind == JsonValueKind.Number && echoed.GetRawText() == sent;
    }

    private static string Tamper(string sessionId, Random random)
    {
        var characters = sessionId.ToCharArray();
        var at = random.Next(characters.Length);
        characters[at] = characters[at] == 'A' ? 'B' : 'A';
        return new string(characters);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>One request as it goes on the wire, with what the checks need to know about it.</summary>
    private sealed class HostileRequest(string method, string target, string description)
    {
        private readonly List<(string Name, byte[] Value)> _headers = [];

        public string Description { get; } = description;

        public byte[]? Body { get; set; }

        /// <summary>The raw JSON text of the request's id, when it has one.</summary>
        public string? IdText { get; set; }

        /// <summary>Invalid UTF-8 or a lone surrogate somewhere in the body.</summary>
        public bool BrokenEncoding { get; set; }

        /// <summary>Whether the request gets as far as the JSON-RPC parser (right method, path and headers).</summary>
        public bool ReachesParser { get; set; }

        /// <summary>Adds a header; <paramref name="latin1"/> writes its characters as single bytes (control and non-ASCII bytes included).</summary>
        public void Header(string name, string value, bool latin1 = false) =>
            _headers.Add((name, latin1 ? Encoding.Latin1.GetBytes(value) : Encoding.UTF8.GetBytes(value)));

        /// <summary>Whether a header holds a byte HTTP does not allow in a field value (a control or non-ASCII byte).</summary>
        public bool HasUnreadableHeader => _headers.Any(header => header.Value.Any(value => value is < 0x20 and not 0x09 or >= 0x7F));

        public byte[] Bytes() => RawHttp.Request(method, target, _headers, Body);

        public string Summary() =>
            $"{method} {target} [{string.Join("; ", _headers.Select(header => $"{header.Name}: {Truncate(Encoding.Latin1.GetString(header.Value))}"))}] {Truncate(Body is null ? "(no body)" : Encoding.UTF8.GetString(Body))}";
    }
}
