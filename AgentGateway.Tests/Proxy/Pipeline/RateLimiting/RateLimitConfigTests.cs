using AgentGateway.Proxy.Config.File;

namespace AgentGateway.Tests.Proxy.Pipeline.RateLimiting;

/// <summary>Rate-limit policies that cannot work are file errors that name the field.</summary>
public sealed class RateLimitConfigTests
{
    [Theory]
    [InlineData("localRateLimit: {buckets: [{name: a, maxTokens: 1}, {name: a, maxTokens: 1}]}", "policies.localRateLimit.buckets[1].name")]
    [InlineData("localRateLimit: {buckets: [{name: 'bad name', maxTokens: 1}]}", "policies.localRateLimit.buckets[0].name")]
    [InlineData("localRateLimit: {buckets: [{name: a, key: 'claim:', maxTokens: 1}]}", "policies.localRateLimit.buckets[0].key")]
    [InlineData("localRateLimit: {buckets: [{name: a, key: user, maxTokens: 1}]}", "policies.localRateLimit.buckets[0].key")]
    [InlineData("localRateLimit: {buckets: [{name: a, maxTokens: 0}]}", "policies.localRateLimit.buckets[0].maxTokens")]
    [InlineData("localRateLimit: {buckets: [{name: a, maxTokens: 2, tokensPerFill: 3}]}", "policies.localRateLimit.buckets[0].tokensPerFill")]
    [InlineData("localRateLimit: {buckets: [{name: a, maxTokens: 2, fillIntervalMs: 86400001}]}", "policies.localRateLimit.buckets[0].fillIntervalMs")]
    [InlineData("localRateLimit: {buckets: []}", "policies.localRateLimit.buckets")]
    [InlineData("rateLimit: {timeoutMs: 100}", "policies.rateLimit")]
    [InlineData("rateLimit: {redis: {buckets: []}}", "policies.rateLimit.redis.buckets")]
    [InlineData("rateLimit: {redis: {buckets: [{name: a, maxTokens: 1}]}, failureMode: ajar}", "policies.rateLimit.failureMode")]
    [InlineData("rateLimit: {redis: {buckets: [{name: a, maxTokens: 1}]}, timeoutMs: 20000}", "policies.rateLimit.timeoutMs")]
    [InlineData("rateLimit: {envoy: {address: 'ratelimit:8081', domain: d, descriptors: [{entries: [{name: k, value: v}]}]}}", "policies.rateLimit.envoy.address")]
    [InlineData("rateLimit: {envoy: {address: 'http://rls:8081', descriptors: [{entries: [{name: k, value: v}]}]}}", "policies.rateLimit.envoy.domain")]
    [InlineData("rateLimit: {envoy: {address: 'http://rls:8081', domain: d, descriptors: []}}", "policies.rateLimit.envoy.descriptors")]
    [InlineData("rateLimit: {envoy: {address: 'http://rls:8081', domain: d, descriptors: [{entries: [{name: k, value: '%user%'}]}]}}", "policies.rateLimit.envoy.descriptors[0].entries[0].value")]
    [InlineData("rateLimit: {envoy: {address: 'http://rls:8081', domain: d, descriptors: [{entries: [{name: k, value: '%tenant'}]}]}}", "policies.rateLimit.envoy.descriptors[0].entries[0].value")]
    [InlineData("rateLimit: {envoy: {address: 'http://rls:8081', domain: d, descriptors: [{entries: [{name: '', value: '%tenant%'}]}]}}", "policies.rateLimit.envoy.descriptors[0].entries[0].name")]
    public void ABadRateLimit_RefusesItsRoute_NamingTheField(string policies, string field)
    {
        var content = GatewayFileParser.Parse(File(policies));
        Assert.Empty(content.Routes);
        Assert.Contains($"routes[0].{field}:", Assert.Single(content.Rejected).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryKindOfRateLimit_IsAccepted()
    {
        var content = GatewayFileParser.Parse(File("""
            localRateLimit: {buckets: [{name: r, maxTokens: 5}, {name: t, key: tenant, maxTokens: 5}, {name: k, key: api-key, maxTokens: 5},
              {name: i, key: client-ip, maxTokens: 5}, {name: c, key: 'claim:sub', maxTokens: 5}, {name: h, key: 'header:x-user', maxTokens: 5, tokensPerFill: 1, fillIntervalMs: 100}]},
             rateLimit: {envoy: {address: 'http://rls:8081', domain: d, descriptors: [{entries: [{name: t, value: '%tenant%'}, {name: u, value: 'user-%claim:sub%-%header:x-a%'},
               {name: r, value: '%route%'}, {name: k, value: '%api_key%'}, {name: i, value: '%client_ip%'}]}]}, timeoutMs: 50, failureMode: closed}
            """.ReplaceLineEndings(" ")));
        Assert.Equal(6, content.Routes[0].Policies.LocalRateLimit.Buckets.Count);
    }

    private static string File(string policies) => $$"""
        routes:
          - tenant: acme
            name: limited
            path: /acme/limited
            policies: {{{policies}}}
            mcp:
              targets:
                - name: t
                  streamableHttp: {url: 'http://127.0.0.1:1/mcp'}
        """;
}
