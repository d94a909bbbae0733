using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Llm;

/// <summary>An LLM route's metrics on the proxy's Prometheus endpoint after a known workload, on a proxy of this class alone.</summary>
[Trait("Category", "EndToEnd")]
public sealed class LlmMetricsTests(LlmGatewayFixture gateway) : IClassFixture<LlmGatewayFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TokensDurationsAndKeyRefusals_AreCounted_AndModelsNoRouteKnows_AreOneOtherSeries()
    {
        // Two answers of the recorded completion (19 input and 10 output tokens each), one key over its budget, one made-up
        // model. The other test of the class answers too: only what this one adds is counted.
        var before = await Http.GetStringAsync(new Uri(gateway.Management, "/metrics"), Cancellation);
        for (var call = 0; call < 2; call++)
        {
            using var answered = await ChatAsync("sk-spare", "fast");
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using (var broke = await ChatAsync("sk-broke", "fast"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, broke.StatusCode);
        }

        var madeUp = $"made-up-{Guid.NewGuid():N}";
        using (var unknown = await ChatAsync("sk-spare", madeUp))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var scrape = await Http.GetStringAsync(new Uri(gateway.Management, "/metrics"), Cancellation);
        Assert.DoesNotContain(madeUp, scrape, StringComparison.Ordinal);
        string[] fast = ["gen_ai_request_model=\"fast\"", "gen_ai_operation_name=\"chat\"", "agentgateway_llm_api=\"chat.completions\""];
        double Added(string metric, params string[] labels) => PrometheusText.Added(before, scrape, metric, labels);
        Assert.Equal(38, Added("gen_ai_client_token_usage_sum", [.. fast, "gen_ai_token_type=\"input\""]));
        Assert.Equal(20, Added("gen_ai_client_token_usage_sum", [.. fast, "gen_ai_token_type=\"output\""]));
        Assert.Equal(2, Added("gen_ai_server_request_duration_seconds_count", [.. fast, "outcome=\"ok\"", "gen_ai_provider_name=\"openai\""]));
        Assert.Equal(1, Added("gen_ai_server_request_duration_seconds_count", [.. fast, "outcome=\"refused\""]));
        Assert.Equal(1, Added("agentgateway_llm_requests_total", "gen_ai_request_model=\"_OTHER\"", "outcome=\"invalid\""));
        Assert.Equal(1, Added("agentgateway_policy_refusals_total", "policy=\"virtual_key\"", "agentgateway_route_kind=\"llm\""));
    }

    [Fact]
    public async Task EachAnsweredRequest_IsAGenAiClientSpan_WithItsProviderModelAndUsage_AndThePoliciesSpanBesideIt()
    {
        // A key of its own (the other test spends sk-spare's two requests a minute).
        using (var answered = await ChatAsync("sk-tokens", "fast"))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        OtlpReceiver.ExportedSpan? span;
        while ((span = gateway.Otlp.Spans.FirstOrDefault(candidate => candidate.Name == "chat fast")) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Cancellation);
        }

        Assert.NotNull(span);
        Assert.Equal(3, span.Kind);
        Assert.Equal("chat", span.Attributes["gen_ai.operation.name"]);
        Assert.Equal("chat.completions", span.Attributes["agentgateway.llm.api"]);
        Assert.Equal("openai", span.Attributes["gen_ai.provider.name"]);
        Assert.Equal("gpt-4o-mini", span.Attributes["gen_ai.response.model"]);
        Assert.Equal("19", span.Attributes["gen_ai.usage.input_tokens"]);
        Assert.Equal("10", span.Attributes["gen_ai.usage.output_tokens"]);

        // The route's policies (the virtual key's authentication) ran in a span of the same trace.
        var policies = gateway.Otlp.Spans.FirstOrDefault(candidate => candidate.Name == "policies" && candidate.TraceId == span.TraceId);
        Assert.NotNull(policies);
        Assert.Equal("acme/keyed", policies.Attributes["agentgateway.route"]);
    }

    private async Task<HttpResponseMessage> ChatAsync(string key, string model)
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
