using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.A2a;

/// <summary>
/// A2A routes end to end: SDK agents (v1.0 and v0.3) behind the gateway, the official SDK clients and raw requests
/// in front of it.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class A2aGatewayTests(A2aGatewayFixture gateway) : IClassFixture<A2aGatewayFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("agent-card.json")]
    [InlineData("agent.json")]
    public async Task Card_V10_AtEitherWellKnownPath_PointsAtTheGatewayWithTheGatewaysSchemes(string file)
    {
        var route = gateway.Route("secure").ToString();
        var card = await GetCardAsync($"{route}/.well-known/{file}", "1.0");

        var interfaces = card["supportedInterfaces"]!.AsArray().Select(entry => (Url: (string)entry!["url"]!, Binding: (string)entry["protocolBinding"]!)).ToList();
        Assert.Equal([($"{route}/jsonrpc", "JSONRPC"), ($"{route}/rest", "HTTP+JSON")], interfaces);
        Assert.Equal(["gatewayBearer", "gatewayApiKey"], card["securitySchemes"]!.AsObject().Select(pair => pair.Key));
        Assert.Equal("Bearer", (string)card["securitySchemes"]!["gatewayBearer"]!["httpAuthSecurityScheme"]!["scheme"]!);
        Assert.Equal("X-Api-Key", (string)card["securitySchemes"]!["gatewayApiKey"]!["apiKeySecurityScheme"]!["name"]!);
        Assert.Equal(
            """[{"schemes":{"gatewayBearer":{"list":[]}}},{"schemes":{"gatewayApiKey":{"list":[]}}}]""",
            card["securityRequirements"]!.ToJsonString());
        Assert.False(card.ContainsKey("signatures"));
        Assert.Equal("Echo agent (v1.0)", (string)card["name"]!);
        Assert.Equal("Tests", (string)card["provider"]!["organization"]!);
    }

    [Fact]
    public async Task Card_V03_PointsAtTheGateway_DropsUnreachableInterfaces_AndKeepsUnknownFields()
    {
        var route = gateway.Route("agent03").ToString();
        var card = await GetCardAsync($"{route}/.well-known/agent.json");

        Assert.Equal($"{route}/jsonrpc", (string)card["url"]!);
        var interfaces = card["additionalInterfaces"]!.AsArray().Select(entry => ((string)entry!["url"]!, (string)entry["transport"]!)).ToList();
        Assert.Equal([($"{route}/jsonrpc", "JSONRPC"), ($"{route}/rest", "HTTP+JSON")], interfaces);
        Assert.False(card.ContainsKey("securitySchemes"));
        Assert.False(card.ContainsKey("security"));
        Assert.False(card["skills"]![0]!.AsObject().ContainsKey("security"));
        Assert.False(card.ContainsKey("signatures"));
        Assert.True((bool)card["x-custom"]!["kept"]!);
    }

    [Fact]
    public async Task Card_OfAV10Agent_ComesInTheV03Shape_ToAClientNamingNoVersion_AsTheProtocolReadsIt()
    {
        var route = gateway.Route("secure").ToString();
        using var response = await Http.GetAsync($"{route}/.well-known/agent-card.json", Cancellation);
        Assert.Contains("A2A-Version", response.Headers.Vary);
        var card = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!.AsObject();

        Assert.False(card.ContainsKey("supportedInterfaces"));
        Assert.Equal($"{route}/jsonrpc", (string)card["url"]!);
        Assert.Equal("JSONRPC", (string)card["preferredTransport"]!);
        // The agent speaks 1.0 alone: the card says so, in the shape a v0.3 client reads.
        Assert.Equal("1.0", (string)card["protocolVersion"]!);
        var interfaces = card["additionalInterfaces"]!.AsArray().Select(entry => ((string)entry!["url"]!, (string)entry["transport"]!)).ToList();
        Assert.Equal([($"{route}/jsonrpc", "JSONRPC"), ($"{route}/rest", "HTTP+JSON")], interfaces);
        Assert.Equal("http", (string)card["securitySchemes"]!["gatewayBearer"]!["type"]!);
        Assert.Equal("""[{"gatewayBearer":[]},{"gatewayApiKey":[]}]""", card["security"]!.ToJsonString());
        Assert.False(card.ContainsKey("securityRequirements"));
        Assert.False((bool)card["supportsAuthenticatedExtendedCard"]!);
        Assert.False(card["capabilities"]!.AsObject().ContainsKey("extendedAgentCard"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Card_OfAV03Agent_ComesInTheV10Shape_ToAV10Client_ItsInterfacesSayingTheySpeak03(bool header)
    {
        var route = gateway.Route("agent03").ToString();
        var card = header
            ? await GetCardAsync($"{route}/.well-known/agent-card.json", "1.0")
            : await GetCardAsync($"{route}/.well-known/agent-card.json?A2A-Version=1.0");

        foreach (var legacy in new[] { "url", "preferredTransport", "additionalInterfaces", "protocolVersion", "supportsAuthenticatedExtendedCard" })
        {
            Assert.False(card.ContainsKey(legacy), legacy);
        }

        var interfaces = card["supportedInterfaces"]!.AsArray()
            .Select(entry => ((string)entry!["url"]!, (string)entry["protocolBinding"]!, (string)entry["protocolVersion"]!)).ToList();
        Assert.Equal([($"{route}/jsonrpc", "JSONRPC", "0.3"), ($"{route}/rest", "HTTP+JSON", "0.3")], interfaces);
        Assert.True((bool)card["capabilities"]!["extendedAgentCard"]!);
        Assert.True((bool)card["x-custom"]!["kept"]!);
    }

    [Fact]
    public async Task ExtendedCard_IsRewrittenLikeThePublicOne()
    {
        var route = gateway.Route("agent03").ToString();
        using var response = await PostJsonRpcAsync("agent03", "agent/getAuthenticatedExtendedCard", []);

        var text = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = JsonNode.Parse(text)!["result"]!;
        Assert.StartsWith("Echo agent (v0.3", (string)card["name"]!, StringComparison.Ordinal);
        Assert.Equal($"{route}/jsonrpc", (string)card["url"]!);
        Assert.DoesNotContain(gateway.AgentV03.BaseUrl.ToString(), text, StringComparison.Ordinal);
        Assert.False(card.AsObject().ContainsKey("signatures"));
    }

    [Fact]
    public async Task Card_V03_OfAJwtRoute_AdvertisesABearerScheme()
    {
        var card = await GetCardAsync($"{gateway.Route("rbac")}/.well-known/agent-card.json");

        Assert.Equal("""{"gatewayBearer":{"type":"http","scheme":"bearer","bearerFormat":"JWT","description":"A JWT the gateway accepts."}}""", card["securitySchemes"]!.ToJsonString());
        Assert.Equal("""[{"gatewayBearer":[]}]""", card["security"]!.ToJsonString());
    }

    [Theory]
    [InlineData("1.0", "JSONRPC")]
    [InlineData("1.0", "HTTP+JSON")]
    [InlineData("0.3", "JSONRPC")]
    [InlineData("0.3", "HTTP+JSON")]
    public async Task SdkClient_SendsBlockingAndStreamingMessages_ThroughTheGateway(string version, string transport)
    {
        var agent = version == "1.0" ? gateway.AgentV10 : gateway.AgentV03;
        var route = gateway.Route(version == "1.0" ? "agent10" : "agent03").ToString();

        var report = await RunClientAsync(version, route, agent.ControlUrl, transport);

        Assert.StartsWith(route + "/", report.GetProperty("cardUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal("echo: hello through the gateway", report.GetProperty("blocking").GetProperty("text").GetString());
        var events = report.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("task", events[0].GetProperty("kind").GetString());
        // The agent held the stream after its "working" update until the client, having received the first event,
        // released it: had the gateway buffered the stream, nothing would have been released and the agent would
        // have answered "gate timed out".
        Assert.Equal(1, report.GetProperty("releasedAfterFirstEvent").GetInt32());
        Assert.Equal("echo: gated stream", events[^1].GetProperty("text").GetString());
        Assert.Contains(events, e => e.TryGetProperty("text", out var text) && text.GetString() == "working");
    }

    [Fact]
    public async Task SdkClient_WithAToken_TalksToAJwtRoute()
    {
        var route = gateway.Route("secure").ToString();

        var report = await RunClientAsync("1.0", route, gateway.AgentV10.ControlUrl, "JSONRPC", "Bearer " + gateway.Token());

        Assert.Equal("echo: hello through the gateway", report.GetProperty("blocking").GetProperty("text").GetString());
    }

    [Fact]
    public async Task UnauthenticatedRequest_ToAJwtRoute_Gets401InJsonRpcForm_WithAnErrorInfoForAV10Client()
    {
        using var response = await PostJsonRpcAsync("secure", "SendMessage", Message("hi"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        Assert.Equal("2.0", (string)body["jsonrpc"]!);
        Assert.Equal(-32040, (int)body["error"]!["code"]!);
        var info = body["error"]!["data"]!.AsArray().Single()!;
        Assert.Equal(("type.googleapis.com/google.rpc.ErrorInfo", "UNAUTHENTICATED", "agentgateway"), ((string?)info["@type"], (string?)info["reason"], (string?)info["domain"]));

        // A v0.3 client gets the error as v0.3 has it: no details.
        using var legacy = await PostJsonRpcAsync("secure", "message/send", V03Message("hi"));
        Assert.Equal(HttpStatusCode.Unauthorized, legacy.StatusCode);
        Assert.Null(JsonNode.Parse(await legacy.Content.ReadAsStringAsync(Cancellation))!["error"]!["data"]);
    }

    [Fact]
    public async Task Metrics_CountRequestsByMethodBindingAndOutcome_AndTheTaskStatesAgentsAnswer()
    {
        using (var send = await PostJsonRpcAsync("agent03", "message/send", V03Message("counted")))
        {
            Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        }

        using (var refused = await PostJsonRpcAsync("secure", "SendMessage", Message("hi")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var sent = new Dictionary<string, string> { ["route"] = "acme/agent03", ["a2a.method"] = "SendMessage", ["a2a.binding"] = "jsonrpc", ["outcome"] = "ok" };
        Assert.True(await gateway.Telemetry.WaitForAsync("agentgateway.a2a.requests", sent, Cancellation) >= 1);
        Assert.True(await gateway.Telemetry.WaitForAsync("agentgateway.a2a.request.duration", sent, Cancellation) >= 1);
        var completed = new Dictionary<string, string> { ["route"] = "acme/agent03", ["a2a.method"] = "SendMessage", ["a2a.task.state"] = "completed" };
        Assert.True(await gateway.Telemetry.WaitForAsync("agentgateway.a2a.task.states", completed, Cancellation) >= 1);
        var unauthenticated = new Dictionary<string, string> { ["route"] = "acme/secure", ["outcome"] = "unauthenticated" };
        Assert.True(await gateway.Telemetry.WaitForAsync("agentgateway.a2a.requests", unauthenticated, Cancellation) >= 1);
    }

    [Fact]
    public async Task Metrics_NameOnlyMethodsTheProtocolKnows_AndCountAuthorizationDenials()
    {
        var madeUp = $"made-up/{Guid.NewGuid():N}";
        using (var unknown = await PostJsonRpcAsync("agent10", madeUp, new JsonObject()))
        {
            // The agent answers a method it does not know with an error; the gateway passes it on.
            Assert.NotNull(JsonNode.Parse(await unknown.Content.ReadAsStringAsync(Cancellation))!["error"]?["code"]);
        }

        using (var denied = await PostJsonRpcAsync("rbac", "CancelTask", new JsonObject { ["id"] = "task-1" }, gateway.Token("bob")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        var other = new Dictionary<string, string> { ["route"] = "acme/agent10", ["a2a.method"] = "_OTHER" };
        Assert.True(await gateway.Telemetry.WaitForAsync("agentgateway.a2a.requests", other, Cancellation) >= 1);
        Assert.DoesNotContain(gateway.Telemetry.ValuesOf("agentgateway.a2a.requests", "a2a.method"), method => method.StartsWith("made-up/", StringComparison.Ordinal));
        var refusal = new Dictionary<string, string> { ["route"] = "acme/rbac", ["policy"] = "a2a_authorization", ["agentgateway.route.kind"] = "a2a" };
        Assert.True(await gateway.Telemetry.WaitForAsync("agentgateway.policy.refusals", refusal, Cancellation) >= 1);
    }

    [Fact]
    public async Task AuthorizationRules_DenyAMethod_WithAForbiddenJsonRpcError_WhateverItsName()
    {
        var token = gateway.Token("bob");

        using var send = await PostJsonRpcAsync("rbac", "message/send", V03Message("allowed"), token);
        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        var sent = JsonNode.Parse(await send.Content.ReadAsStringAsync(Cancellation))!;
        Assert.Equal("completed", (string)sent["result"]!["status"]!["state"]!);

        foreach (var method in new[] { "tasks/cancel", "CancelTask" })
        {
            using var cancel = await PostJsonRpcAsync("rbac", method, new JsonObject { ["id"] = "task-1" }, token, id: 7);
            Assert.Equal(HttpStatusCode.Forbidden, cancel.StatusCode);
            var body = JsonNode.Parse(await cancel.Content.ReadAsStringAsync(Cancellation))!;
            Assert.Equal(7, (int)body["id"]!);
            Assert.Equal(-32041, (int)body["error"]!["code"]!);
            Assert.Contains("do not allow CancelTask", (string)body["error"]!["message"]!, StringComparison.Ordinal);
            Assert.Equal(method == "CancelTask" ? "PERMISSION_DENIED" : null, (string?)body["error"]!["data"]?[0]?["reason"]);
        }

        // The same rule on the HTTP+JSON binding: v0.3's path answers a problem.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{gateway.Route("rbac")}/v1/tasks/task-1:cancel") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var rest = await Http.SendAsync(request, Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, rest.StatusCode);
        Assert.Equal("application/problem+json", rest.Content.Headers.ContentType?.MediaType);
        Assert.Equal("PERMISSION_DENIED", (string)JsonNode.Parse(await rest.Content.ReadAsStringAsync(Cancellation))!["error"]!["status"]!);

        // v1.0's path answers a google.rpc.Status, as v1.0 maps errors on that binding.
        using var v10Request = new HttpRequestMessage(HttpMethod.Post, $"{gateway.Route("rbac")}/tasks/task-1:cancel") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        v10Request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var v10 = await Http.SendAsync(v10Request, Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, v10.StatusCode);
        Assert.Equal("application/json", v10.Content.Headers.ContentType?.MediaType);
        var status = JsonNode.Parse(await v10.Content.ReadAsStringAsync(Cancellation))!.AsObject();
        Assert.Equal(["error"], status.Select(pair => pair.Key));
        Assert.Equal((403, "PERMISSION_DENIED"), ((int)status["error"]!["code"]!, (string?)status["error"]!["status"]));
        Assert.Equal(("PERMISSION_DENIED", "agentgateway"), ((string?)status["error"]!["details"]![0]!["reason"], (string?)status["error"]!["details"]![0]!["domain"]));

        // Another rule lets the admin do anything.
        using var admin = await PostJsonRpcAsync("rbac", "tasks/cancel", new JsonObject { ["id"] = "task-1" }, gateway.Token("admin"));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(-32001, (int)JsonNode.Parse(await admin.Content.ReadAsStringAsync(Cancellation))!["error"]!["code"]!);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://localhost:8080/hook", "loopback")]
    [InlineData("http://10.1.2.3/hook", "private network")]
    [InlineData("file:///etc/passwd", "not an absolute http(s) URL")]
    public async Task PushNotificationWebhook_ToARestrictedAddress_IsRefused(string url, string problem)
    {
        var v10 = Message("hi");
        v10["configuration"] = new JsonObject { ["taskPushNotificationConfig"] = new JsonObject { ["url"] = url } };
        using var send = await PostJsonRpcAsync("agent10", "SendMessage", v10, id: 3);
        await AssertRefusedAsync(send, problem);

        var set = new JsonObject { ["taskId"] = "task-1", ["pushNotificationConfig"] = new JsonObject { ["url"] = url } };
        using var legacy = await PostJsonRpcAsync("agent03", "tasks/pushNotificationConfig/set", set, id: 3);
        await AssertRefusedAsync(legacy, problem);
    }

    [Fact]
    public async Task PushNotificationWebhook_TheEgressPolicyAllows_ReachesTheAgent()
    {
        var set = new JsonObject { ["taskId"] = "no-such-task", ["pushNotificationConfig"] = new JsonObject { ["url"] = $"http://127.0.0.1:{A2aGatewayFixture.AllowedWebhookPort}/hook" } };
        using var response = await PostJsonRpcAsync("agent03", "tasks/pushNotificationConfig/set", set);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        // The agent answers (it knows no such task); the gateway did not refuse the URL.
        Assert.NotEqual(-32602, (int?)body["error"]?["code"]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OversizedJsonRpcBody_IsRefusedBeforeTheAgent()
    {
        var huge = Message(new string('x', 5 * 1024 * 1024));
        using var response = await PostJsonRpcAsync("agent10", "SendMessage", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(-32600, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!["code"]!);
    }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(1) };

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string problem)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        Assert.Equal(3, (int)body["id"]!);
        Assert.Equal(-32602, (int)body["error"]!["code"]!);
        Assert.Contains(problem, (string)body["error"]!["message"]!, StringComparison.Ordinal);
    }

    private static async Task<JsonObject> GetCardAsync(string url, string? version = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (version is not null)
        {
            request.Headers.Add("A2A-Version", version);
        }

        using var response = await Http.SendAsync(request, Cancellation);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<HttpResponseMessage> PostJsonRpcAsync(string route, string method, JsonObject parameters, string? token = null, int id = 1)
    {
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };
        var request = new HttpRequestMessage(HttpMethod.Post, $"{gateway.Route(route)}/jsonrpc") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("A2A-Version", method.Contains('/', StringComparison.Ordinal) ? "0.3" : "1.0");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request, Cancellation);
    }

    private static JsonObject Message(string text) => new()
    {
        ["message"] = new JsonObject
        {
            ["role"] = "ROLE_USER",
            ["messageId"] = Guid.NewGuid().ToString(),
            ["parts"] = new JsonArray(new JsonObject { ["text"] = text }),
        },
    };

    private static JsonObject V03Message(string text) => new()
    {
        ["message"] = new JsonObject
        {
            ["kind"] = "message",
            ["role"] = "user",
            ["messageId"] = Guid.NewGuid().ToString(),
            ["parts"] = new JsonArray(new JsonObject { ["kind"] = "text", ["text"] = text }),
        },
        ["configuration"] = new JsonObject { ["blocking"] = true },
    };

    private static Task<JsonElement> RunClientAsync(string version, string route, Uri control, string transport, string? authorization = null) =>
        NodeScript.RunAsync("node", Path.Combine(NodeA2aAgent.ScriptDirectory, "client.mjs"), [version, route, control.ToString().TrimEnd('/'), transport], Cancellation,
            authorization is null ? null : new Dictionary<string, string> { ["A2A_AUTHORIZATION"] = authorization });
}
