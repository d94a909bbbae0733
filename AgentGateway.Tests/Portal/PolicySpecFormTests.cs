using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using AgentGateway.Portal.Components.Pages.Policies;
using AgentGateway.Portal.Components.Pages.Policies.Forms;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// What the Portal's policy page starts from and what its forms write are specs AdminApi accepts: checked with the
/// same parsing and validation AdminApi (and the proxies) run.
/// </summary>
public sealed class PolicySpecFormTests
{
    public static TheoryData<string> Kinds => [.. PolicyKindCatalog.All.Select(kind => kind.Name)];

    [Fact]
    public void Catalog_OffersEveryKindOfThePlatformsCatalog_WithItsTargetsAndRouteKinds()
    {
        Assert.Equal(PolicyKinds.All.Select(kind => kind.Name), PolicyKindCatalog.All.Select(kind => kind.Name));
        foreach (var known in PolicyKinds.All)
        {
            var kind = PolicyKindCatalog.Find(known.Name)!;
            Assert.Equal((known.Message, known.Targets, known.RouteKinds), (kind.Message, kind.Targets, kind.RouteKinds));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Example_IsAValidSpecOfItsKind(string kind)
    {
        Assert.Empty(Problems(kind, PolicyKindCatalog.Example(kind, ["notes-token"])));
        Assert.Empty(Problems(kind, PolicyKindCatalog.Example(kind, [])));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Form_WritesBackWhatItRead(string kind)
    {
        var example = PolicyKindCatalog.Example(kind, ["notes-token"]);
        if (PolicySpecModel.For(kind, example) is not { } form)
        {
            Assert.False(PolicyKindCatalog.Find(kind)!.HasForm);
            return;
        }

        Assert.True(PolicyKindCatalog.Find(kind)!.HasForm);
        Assert.True(JsonNode.DeepEquals(example, form.Write()), $"{kind}: {example.ToJsonString()} became {form.Write().ToJsonString()}");
    }

    [Fact]
    public void Form_KeepsFieldsItDoesNotShow()
    {
        var spec = JsonNode.Parse("""
            {"resource": "https://gateway.example.com/demo/mcp",
             "authorizationServers": [{"issuer": "https://login.example.com", "jwksCacheSeconds": 600}],
             "operationScopes": [{"match": "mcp.tool.name == \"delete_note\"", "scopes": ["notes.delete"]}],
             "resourceDocumentation": "https://docs.example.com"}
            """)!.AsObject();
        var form = (McpAuthenticationModel)PolicySpecModel.For(PolicyKindCatalog.McpAuthentication, spec)!;

        form.RequiredScopes = "mcp.read, mcp.write";
        var written = form.Write();

        Assert.Equal(600, written["authorizationServers"]![0]!["jwksCacheSeconds"]!.GetValue<int>());
        Assert.Equal("notes.delete", written["operationScopes"]![0]!["scopes"]![0]!.GetValue<string>());
        Assert.Equal(["mcp.read", "mcp.write"], written["requiredScopes"]!.AsArray().Select(scope => scope!.GetValue<string>()));
        Assert.Empty(Problems(PolicyKindCatalog.McpAuthentication, written));
    }

    [Fact]
    public void JwtForm_WithARelativeJwksUri_IsRefusedOnThatField()
    {
        var form = (JwtAuthModel)PolicySpecModel.For(PolicyKindCatalog.JwtAuth, PolicyKindCatalog.Example(PolicyKindCatalog.JwtAuth, []))!;
        form.Providers[0].JwksUri = "certs";
        form.Providers[0].ClockSkewSeconds = 30;
        form.Providers[0].RequiredClaims.Add(new ClaimRequirementModel { Claim = "groups", Values = "agents, admins" });

        var problems = Problems(PolicyKindCatalog.JwtAuth, form.Write());

        var problem = Assert.Single(problems);
        Assert.Equal("spec.providers[0].jwksUri", problem.Field);
    }

    [Theory]
    [InlineData(BackendAuthModel.Passthrough)]
    [InlineData(BackendAuthModel.Header)]
    [InlineData(BackendAuthModel.ClientCredentials)]
    [InlineData(BackendAuthModel.TokenExchange)]
    [InlineData(BackendAuthModel.UserOAuth)]
    [InlineData(BackendAuthModel.AwsSigV4)]
    [InlineData(BackendAuthModel.GcpIdentityToken)]
    [InlineData(BackendAuthModel.GcpAccessToken)]
    public void BackendAuthForm_EveryMethod_WritesAValidSpecWithSecretReferences(string method)
    {
        var form = new BackendAuthModel
        {
            Method = method,
            HeaderName = "X-Api-Key",
            HeaderPrefix = string.Empty,
            HeaderSecret = "notes-token",
            TokenUrl = "https://login.example.com/oauth2/token",
            AuthorizationUrl = "https://login.example.com/oauth2/authorize",
            RevocationUrl = "https://login.example.com/oauth2/revoke",
            ClientId = "gateway",
            ClientSecret = "client-secret",
            Scopes = "notes.read, notes.write",
            Audience = "https://notes.example.com",
            Region = "eu-west-1",
            Service = "execute-api",
            AccessKeyId = "aws-key-id",
            SecretAccessKey = "aws-secret",
        };

        var spec = form.Write();

        Assert.Empty(Problems(PolicyKindCatalog.BackendAuth, spec));
        Assert.Equal([method], spec.Select(field => field.Key));
        Assert.DoesNotContain("inline", spec.ToJsonString(), StringComparison.Ordinal);
        var read = BackendAuthModel.Read(spec);
        Assert.Equal(method, read.Method);
        Assert.True(JsonNode.DeepEquals(spec, read.Write()));
    }

    [Fact]
    public void BackendAuthForm_HeaderWithoutASecret_IsRefusedOnTheValue()
    {
        var form = new BackendAuthModel { Method = BackendAuthModel.Header, HeaderName = "Authorization", HeaderPrefix = "Bearer " };

        var problems = Problems(PolicyKindCatalog.BackendAuth, form.Write());

        Assert.Contains(problems, problem => problem.Field.StartsWith("spec.header.value", StringComparison.Ordinal));
    }

    /// <summary>
    /// What AdminApi (and the proxies) would say of <paramref name="spec"/>: the catalog's parsing and validation of the kind.
    /// </summary>
    internal static List<ConfigError> Problems(string kindName, JsonObject spec)
    {
        var problems = new List<ConfigError>();
        var kind = PolicyKinds.Find(kindName) ?? throw new ArgumentException($"'{kindName}' is no kind of the catalog.", nameof(kindName));
        var message = kind.Parse(JsonSerializer.SerializeToElement(spec), "spec", problems);
        if (problems.Count == 0)
        {
            kind.Validate(message, "spec", SecretSources.SecretRef, problems);
        }

        return problems;
    }
}
