using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Exchange;

/// <summary>Virtual keys on an LLM route, from the standalone YAML: allowed models, requests and tokens per minute, an exhausted budget.</summary>
[Trait("Category", "EndToEnd")]
public sealed class LlmVirtualKeyTests(LlmGatewayFixture gateway) : IClassFixture<LlmGatewayFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AKey_UsesOnlyItsModels_AndOnlyItsRequestsPerMinute()
    {
        var (refused, refusedBody) = await PostAsync("sk-fast-only", "other");
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal(("permission_error", "model_not_allowed"), (refusedBody.GetProperty("error").GetProperty("type").GetString(), refusedBody.GetProperty("error").GetProperty("code").GetString()));
        Assert.Contains("'fast-only' may not use the model 'other'", refusedBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("sk-fast-only", "fast")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("sk-fast-only", "fast")).Status);
        using var third = await SendAsync("sk-fast-only", "fast");
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
        var error = JsonDocument.Parse(await third.Content.ReadAsStringAsync(Cancellation)).RootElement.GetProperty("error");
        Assert.Equal(("rate_limit_error", "rate_limit_exceeded"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));

        // Another key with the same limits is not held back by it: each key has its own buckets.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("sk-spare", "other")).Status);
    }

    [Fact]
    public async Task AKeysTokensPerMinute_CountTheAnswersUsage()
    {
        // 40 tokens a minute; a recorded answer uses 29, so the second takes the bucket to empty and the third waits.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("sk-tokens", "fast")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("sk-tokens", "fast")).Status);
        var (status, body) = await PostAsync("sk-tokens", "fast");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("tokens per minute (40)", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyWithAnExhaustedBudget_IsRefused_UntilItsPeriodEnds()
    {
        var before = gateway.Providers.Requests.Count;
        using var response = await SendAsync("sk-broke", "fast");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.FromDays(2), $"Retry-After {response.Headers.RetryAfter}");
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement.GetProperty("error");
        Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("has spent its budget (5 USD a month)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, gateway.Providers.Requests.Count);
    }

    [Fact]
    public async Task ARouteWhoseTenantBudgetIsSpent_RefusesEveryRequest_UntilThen_WithoutAskingTheProvider()
    {
        var before = gateway.Providers.Requests.Count;
        var chat = new JsonObject { ["model"] = "gpt-4o-mini", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }) };
        using var response = await Http.PostAsync(new Uri(gateway.BaseUrl("spent") + "/chat/completions"), new StringContent(chat.ToJsonString(), Encoding.UTF8, "application/json"), Cancellation);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement.GetProperty("error");
        Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("tenant 'acme' has spent its LLM budget", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, gateway.Providers.Requests.Count);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string key, string model)
    {
        using var response = await SendAsync(key, model);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<HttpResponseMessage> SendAsync(string key, string model)
    {
        var chat = new JsonObject { ["model"] = model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseUrl("keyed") + "/chat/completions"))
        {
            Content = new StringContent(chat.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await Http.SendAsync(request, Cancellation);
    }
}
