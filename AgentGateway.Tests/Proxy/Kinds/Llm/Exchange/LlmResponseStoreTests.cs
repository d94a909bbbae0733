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
        Assert.Equal(default, await store.ContinueAsync(route, alice, next, "resp_1", Cancellation));
        Assert.Equal(["Hi", null, "And you?"], next["input"]!.AsArray().Select(item => item!["content"] is JsonValue text ? text.GetValue<string>() : null));

        // Not another caller's, not on another route, and not after its lifetime.
        Assert.Equal(400, (await store.ContinueAsync(route, new GatewayCaller { Subject = "jwt:idp|bob" }, new JsonObject { ["previous_response_id"] = "resp_1" }, "resp_1", Cancellation)).Error?.Status);
        Assert.Null(await store.FindAsync(new Route { Tenant = "acme", Name = "other" }, alice, "resp_1", Cancellation));
        time.Advance(LlmResponseStore.Lifetime + TimeSpan.FromMinutes(1));
        Assert.Null(await store.FindAsync(route, alice, "resp_1", Cancellation));
    }

    [Fact]
    public async Task AResponseAProviderKeeps_IsContinuedThereByItsCallerAlone_AndStoreFalseClaimsNone()
    {
        var redis = new RedisRateLimitStore(Options.Create(new RateLimitingOptions()), new ConfigurationBuilder().Build(), NullLogger<RedisRateLimitStore>.Instance);
        var store = new LlmResponseStore(redis, TimeProvider.System, NullLogger<LlmResponseStore>.Instance);
        var route = new Route { Tenant = "acme", Name = "models" };
        var (alice, bob) = (new GatewayCaller { Subject = "jwt:idp|alice" }, new GatewayCaller { Subject = "jwt:idp|bob" });
        await store.ClaimAsync(route, alice, new JsonObject { ["input"] = "Hi" }, new JsonObject { ["id"] = "resp_at_openai" }, "openai", Cancellation);
        await store.ClaimAsync(route, alice, new JsonObject { ["input"] = "Hi", ["store"] = false }, new JsonObject { ["id"] = "resp_unstored" }, "openai", Cancellation);

        // The caller's request continues it at the provider, its input untouched; to anyone else it does not exist.
        var next = new JsonObject { ["previous_response_id"] = "resp_at_openai", ["input"] = "And you?" };
        Assert.Equal(new ResponseContinuation("openai", null), await store.ContinueAsync(route, alice, next, "resp_at_openai", Cancellation));
        Assert.Equal("And you?", (string?)next["input"]);
        Assert.Equal(400, (await store.ContinueAsync(route, bob, next, "resp_at_openai", Cancellation)).Error?.Status);
        Assert.Equal(400, (await store.ContinueAsync(route, alice, next, "resp_unstored", Cancellation)).Error?.Status);
        // The claim holds no conversation: whose it is, where, and the response as it was sent.
        var claim = await store.FindAsync(route, alice, "resp_at_openai", Cancellation);
        Assert.Equal(["owner", "provider", "response"], claim!.Select(field => field.Key).Order(StringComparer.Ordinal));
    }
}
