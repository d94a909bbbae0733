using AgentGateway.Contracts.Policies;
using AgentGateway.Proxy.Config.File;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.A2a;

/// <summary>A2A routes in the config file: a route with bad values is refused, naming the field.</summary>
public sealed class A2aConfigTests
{
    [Theory]
    [InlineData("a2a: { url: 'not a url' }", "routes[0].a2a.url")]
    [InlineData("a2a: { url: 'http://agent:8080', cardUrl: 'ftp://agent/card' }", "routes[0].a2a.cardUrl")]
    [InlineData("a2a: { url: 'http://agent:8080' }\n    policies: { a2aAuthorization: { rules: [ { expression: \"a2a.method ==\" } ] } }", "routes[0].policies.a2aAuthorization.rules[0].expression")]
    [InlineData("a2a: { url: 'http://agent:8080' }\n    policies: { a2aAuthorization: { rules: [ { expression: \"a2b.method == 'GetTask'\" } ] } }", "routes[0].policies.a2aAuthorization.rules[0].expression")]
    public void BadA2aRoute_IsRefusedNamingTheField(string backend, string field)
    {
        var yaml = $"routes:\n  - tenant: acme\n    name: agent\n    path: /acme/agent\n    {backend}\n";

        var content = GatewayFileParser.Parse(yaml);

        Assert.Empty(content.Routes);
        var rejected = Assert.Single(content.Rejected);
        Assert.Equal("acme/agent", rejected.Name);
        Assert.Contains(field, rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExampleConfig_WithItsA2aRoute_Parses()
    {
        var text = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "AgentGateway.Proxy", "gateway.example.yaml"));

        var content = GatewayFileParser.Parse(text);

        var route = Assert.Single(content.Routes, route => route.BackendCase == AgentGateway.Contracts.V1.Route.BackendOneofCase.A2A);
        Assert.Equal("http://localhost:5201/a2a", route.A2A.Url);
        Assert.Single(route.Policies.A2AAuthorization.Rules);
    }

    [Fact]
    public void A2aRule_OverTheA2aVariable_IsValid()
    {
        var yaml = "routes:\n  - tenant: acme\n    name: agent\n    path: /acme/agent\n    a2a: { url: 'http://agent:8080' }\n"
            + "    policies: { a2aAuthorization: { rules: [ { expression: \"a2a.method == 'SendMessage' && a2a.binding == 'jsonrpc' && a2a.skill != 'admin' && a2a.contextId != 'x'\" } ] } }\n";

        var content = GatewayFileParser.Parse(yaml);

        Assert.Single(content.Routes);
        Assert.Null(CelExpressions.Validate("a2a.method in ['GetTask'] || a2a.version == '0.3' || a2a.taskId == ''"));
    }
}
