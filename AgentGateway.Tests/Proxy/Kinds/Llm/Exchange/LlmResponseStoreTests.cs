using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Exchange;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Exchange;

/// <summary>Stored responses of a proxy without Redis: kept by the proxy, per route and caller, for their lifetime.</summary>
public sealed class LlmResponseStoreTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AResponse_ContinuesItsConversation_ForItsCallerOnItsRoute_UntilItExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var redis = new RedisRateLimitStore(Options.Create(new RateLimitingOptions()), new ConfigurationBuilder().Build(), NullLogger<RedisRateLimitStore>.Instance);
        var store = new LlmResponseStore(redis, time, NullLogger<LlmResponseStore>.Instance);
        var route = new Route { Tenant = "acme", Name = "models" };
        var alice = new GatewayCaller { Subject = "jwt:idp|alice" };
        var response = new JsonObject
        {
            ["id"] = "resp_1",
            ["output"] = new JsonArray(new JsonObject { ["type"] = "message", ["role"] = "assistant", ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = "Hello!" }) }),
        };
        await store.SaveAsync(route, alice, new JsonObject { ["input"] = "Hi" }, response, Cancellation);

        var next = new JsonObject { ["previous_response_id"] = "resp_1", ["input"] = "And you?" };
        Assert.Null(await store.ContinueAsync(route, alice, next, Cancellation));
        Assert.Equal(["Hi", null, "And you?"], next["input"]!.AsArray().Select(item => item!["content"] is JsonValue text ? text.GetValue<string>() : null));

        // Not another caller's, not on another route, and not after its lifetime.
        Assert.Equal(400, (await store.ContinueAsync(route, new GatewayCaller { Subject = "jwt:idp|bob" }, new JsonObject { ["previous_response_id"] = "resp_1" }, Cancellation))?.Status);
        Assert.Null(await store.FindAsync(new Route { Tenant = "acme", Name = "other" }, alice, "resp_1", Cancellation));
        time.Advance(LlmResponseStore.Lifetime + TimeSpan.FromMinutes(1));
        Assert.Null(await store.FindAsync(route, alice, "resp_1", Cancellation));
    }
}
