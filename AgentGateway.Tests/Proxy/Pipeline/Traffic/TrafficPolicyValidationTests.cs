using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Tests.Proxy.Pipeline.Traffic;

/// <summary>The shared rules of traffic policies, as the control plane and the proxy both apply them.</summary>
public sealed class TrafficPolicyValidationTests
{
    private static List<ConfigError> Errors(string json)
    {
        var errors = new List<ConfigError>();
        var policies = ProtoJson.Parse<RoutePolicies>(System.Text.Json.JsonDocument.Parse(json).RootElement, "policies", errors);
        Assert.Empty(errors);
        PolicyValidator.Validate(policies, "policies", SecretSources.Inline, errors);
        return errors;
    }

    [Fact]
    public void EveryTrafficPolicy_WrittenRight_HasNoError() =>
        Assert.Empty(Errors("""
            {
              "requestHeaders": {"add": [{"name": "x-a", "value": "1"}], "set": [{"name": "x-c", "value": "api"}], "remove": ["x-b"]},
              "responseHeaders": {"set": [{"name": "Cache-Control", "value": "no-store"}]},
              "urlRewrite": {"hostname": "api.internal", "regex": {"pattern": "^/v1/(?<rest>.*)$", "substitution": "/${rest}"}},
              "cors": {"allowOrigins": ["*", "https://app.example.com", "https://*.example.com", "http://localhost:5173"], "allowHeaders": ["*"], "maxAgeSeconds": 600},
              "timeouts": {"requestMs": 5000, "backendRequestMs": 1000},
              "retry": {"attempts": 3, "backoffBaseMs": 10, "backoffMaxMs": 100, "statusCodes": [429, 503], "retryOn": ["reset"]},
              "mirrors": [{"url": "http://shadow:8080", "percentage": 12.5}]
            }
            """));

    [Fact]
    public void RedirectAndDirectResponse_TakeOnlyValidValues()
    {
        var errors = Errors("""{"redirect": {"scheme": "ftp", "hostname": "*.example.com", "port": 70000, "replaceFullPath": "/a", "replacePrefixMatch": "/b", "statusCode": 304}}""");
        Assert.Equal(
            ["policies.redirect.scheme", "policies.redirect.hostname", "policies.redirect.port", "policies.redirect.replaceFullPath", "policies.redirect.statusCode"],
            errors.Select(error => error.Field));
        Assert.Contains(Errors("""{"requestHeaders": {"set": [{"name": "host", "value": "x"}]}}"""), error => error.Field == "policies.requestHeaders.set[0].name");
        Assert.Contains(Errors("""{"directResponse": {"status": 200, "contentType": "not a type"}}"""), error => error.Field == "policies.directResponse.contentType");
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://*.example.com", true)]
    [InlineData("http://localhost:5173", true)]
    [InlineData("https://app.example.com/", false)]
    [InlineData("https://app.example.com/path", false)]
    [InlineData("app.example.com", false)]
    [InlineData("ftp://app.example.com", false)]
    public void OriginPatterns_AreOriginsOrAWildcardFirstLabel(string origin, bool valid) =>
        Assert.Equal(valid, PolicyValidator.IsOriginPattern(origin));
}
