using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Pages.Routes.Form;
using AgentGateway.Portal.Services;

namespace AgentGateway.Tests.Portal;

/// <summary>What the route form sends AdminApi for each kind, and how it reads a route back to edit it.</summary>
public sealed class RouteFormTests
{
    private static readonly JsonSerializerOptions s_web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void HttpRoute_SendsItsPathKind_Match_WeightedDestinations_AndHealthChecks()
    {
        var form = new RouteFormModel
        {
            Kind = RouteKinds.Http,
            Name = " orders ",
            PathKind = RouteFormModel.PrefixPath,
            PathValue = " /demo/orders ",
            Hosts = "API.example.com, *.example.com",
            Methods = "get, POST, get",
            ActiveHealthCheck = true,
            HealthPath = "/healthz",
            HealthIntervalMs = 1000,
            HealthTimeoutMs = 0,
            ExpectedStatuses = "200, 204",
            PassiveHealthCheck = true,
            ConsecutiveFailures = 3,
            PreserveHost = true,
        };
        form.Targets.Add("left-over-from-mcp");
        form.Destinations.Add(new DestinationRow { Name = "primary", Url = " http://orders-a:8080 ", Weight = 3 });
        form.Destinations.Add(new DestinationRow { Name = "canary", Url = "http://orders-b:8080", Weight = 0 });
        form.Destinations.Add(new DestinationRow());
        form.Headers.Add(new ConditionRow { Name = "x-team", Match = ConditionRow.Exact, Value = "blue" });
        form.Headers.Add(new ConditionRow());
        form.Query.Add(new ConditionRow { Name = "debug", Invert = true });

        var json = JsonSerializer.SerializeToNode(form.ToNewRoute(), s_web)!.AsObject();

        Assert.Equal("orders", json["name"]!.GetValue<string>());
        Assert.Equal("http", json["kind"]!.GetValue<string>());
        Assert.Equal("/demo/orders", json["pathPrefix"]!.GetValue<string>());
        Assert.Null(json["path"]);
        Assert.Null(json["pathRegex"]);
        Assert.Null(json["targets"]);
        Assert.Equal("""["api.example.com","*.example.com"]""", json["hosts"]!.ToJsonString());
        Assert.Equal("""["GET","POST"]""", json["methods"]!.ToJsonString());
        Assert.Equal("""[{"name":"x-team","exact":"blue","regex":null,"invert":false}]""", json["headers"]!.ToJsonString());
        Assert.Equal("""[{"name":"debug","exact":null,"regex":null,"invert":true}]""", json["query"]!.ToJsonString());
        Assert.Equal(
            """[{"name":"primary","url":"http://orders-a:8080","weight":3},{"name":"canary","url":"http://orders-b:8080","weight":null}]""",
            json["destinations"]!.ToJsonString());
        Assert.Equal("/healthz", json["activeHealthCheck"]!["path"]!.GetValue<string>());
        Assert.Equal(1000, json["activeHealthCheck"]!["intervalMs"]!.GetValue<int>());
        Assert.Null(json["activeHealthCheck"]!["timeoutMs"]);
        Assert.Equal("[200,204]", json["activeHealthCheck"]!["expectedStatuses"]!.ToJsonString());
        Assert.Equal(3, json["passiveHealthCheck"]!["consecutiveFailures"]!.GetValue<int>());
        Assert.True(json["preserveHost"]!.GetValue<bool>());
        Assert.Null(json["agent"]);
    }

    [Fact]
    public void A2aRoute_SendsTheAgent_AndNoBackendOfAnotherKind()
    {
        var form = new RouteFormModel { Kind = RouteKinds.A2a, Name = "travel", PathKind = RouteFormModel.PrefixPath, PathValue = "/demo/travel", Agent = "travel-agent" };
        form.Destinations.Add(new DestinationRow { Name = "x", Url = "http://x" });

        var route = form.ToNewRoute();

        Assert.Equal(("a2a", "travel-agent", "/demo/travel"), (route.Kind, route.Agent, route.Path));
        Assert.Null(route.PathPrefix);
        Assert.Null(route.Destinations);
        Assert.Null(route.Targets);
    }

    [Fact]
    public void McpRoute_WithoutAPath_TakesTheDefault()
    {
        var form = new RouteFormModel { Name = "tools", PrefixMode = "always" };
        form.Targets.AddRange(["notes", "utils"]);

        var route = form.ToNewRoute();

        Assert.Equal(("mcp", null, "always"), (route.Kind, route.Path, route.PrefixMode));
        Assert.Equal(["notes", "utils"], route.Targets);
        Assert.Empty(route.Hosts!);
    }

    [Fact]
    public void EditingARoute_ReadsItBack_AndTheUpdateKeepsItsMcpSettings()
    {
        var route = new RouteInfo(
            "tools", "/demo/tools", ["notes"], "never", "http://gw/demo/tools", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "7",
            FailureMode: "closed", TargetTimeoutMs: 2500, ToolPinning: "flag", Hosts: ["mcp.example.com"],
            Headers: [new RouteCondition("x-env", Regex: "^prod$", Invert: true), new RouteCondition("x-empty", Exact: "")]);

        var form = RouteFormModel.From(route);
        Assert.Equal((RouteFormModel.ExactPath, "/demo/tools", "mcp.example.com"), (form.PathKind, form.PathValue, form.Hosts));
        Assert.Equal((ConditionRow.Regex, "^prod$", true), (form.Headers[0].Match, form.Headers[0].Value, form.Headers[0].Invert));
        Assert.Equal(ConditionRow.Exact, form.Headers[1].Match);
        form.Targets.Add("utils");
        var update = form.ToUpdate(route);

        Assert.Equal(("/demo/tools", "never", "closed", 2500, "flag", "mcp"), (update.Path, update.PrefixMode, update.FailureMode, update.TargetTimeoutMs, update.ToolPinning, update.Kind));
        Assert.Equal(["notes", "utils"], update.Targets);
        Assert.Equal([new RouteCondition("x-env", Regex: "^prod$", Invert: true), new RouteCondition("x-empty", Exact: "")], update.Headers);
        Assert.Empty(update.Destinations!);
        Assert.Null(update.ActiveHealthCheck);
    }

    [Fact]
    public void EditingAnHttpRegexRoute_IntoAnA2aRoute_ClearsTheDestinations()
    {
        var route = new RouteInfo(
            "items", null, [], "conditional", null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "3", Kind: RouteKinds.Http,
            PathRegex: "^/demo/v[0-9]+/items$", Destinations: [new RouteDestination("primary", "http://items:8080", 2)],
            ActiveHealthCheck: new RouteActiveHealthCheck("/healthz", ExpectedStatuses: [204]), PassiveHealthCheck: new RoutePassiveHealthCheck(EjectionMs: 1000));

        var form = RouteFormModel.From(route);
        Assert.Equal((RouteFormModel.RegexPath, "^/demo/v[0-9]+/items$"), (form.PathKind, form.PathValue));
        Assert.Equal(("primary", 2), (form.Destinations[0].Name, form.Destinations[0].Weight));
        Assert.Equal((true, "204", true, 1000), (form.ActiveHealthCheck, form.ExpectedStatuses, form.PassiveHealthCheck, form.EjectionMs));
        Assert.Equal("^/demo/v[0-9]+/items$", form.ToUpdate(route).PathRegex);

        // Unchecking a health check the route has turns it off; one it never had is left out.
        form.ActiveHealthCheck = false;
        Assert.Equal(RouteActiveHealthCheck.Off, form.ToUpdate(route).ActiveHealthCheck);
        Assert.Null(form.ToUpdate(route with { ActiveHealthCheck = null }).ActiveHealthCheck);
        Assert.Equal(1000, form.ToUpdate(route).PassiveHealthCheck!.EjectionMs);

        form.Kind = RouteKinds.A2a;
        form.PathValue = "/demo/items";
        form.Agent = "items-agent";
        var update = form.ToUpdate(route);

        Assert.Equal(("a2a", "/demo/items", "items-agent"), (update.Kind, update.Path, update.Agent));
        Assert.Null(update.PathRegex);
        Assert.Empty(update.Destinations!);
        Assert.Empty(update.Targets!);
        Assert.Null(update.PrefixMode);
    }

    [Theory]
    [InlineData("200, 204", null)]
    [InlineData("", null)]
    [InlineData("200, ok", "'ok' is not an HTTP status (100-599)")]
    [InlineData("700", "'700' is not an HTTP status (100-599)")]
    public void ExpectedStatuses_AreCheckedBeforeSending(string text, string? problem)
    {
        Assert.Equal(problem, new RouteFormModel { ExpectedStatuses = text }.ExpectedStatusesProblem);
    }

    [Fact]
    public void AgentResponse_ReadsIntoTheCatalogModel()
    {
        var agent = JsonSerializer.Deserialize<AgentInfo>("""
            {"name": "travel", "url": "http://localhost:5103", "cardUrl": null, "description": "books trips",
             "card": {"name": "Travel Agent", "description": "Plans trips", "version": "1.2.0", "protocolVersion": "0.3.0",
                      "skills": [{"id": "book", "name": "Book a trip", "description": null, "tags": ["travel"], "examples": ["Book Paris"]}],
                      "capabilities": {"streaming": true, "pushNotifications": false}},
             "cardFetchedAt": "2026-12-01T10:00:00Z", "cardError": null, "routes": ["travel"],
             "createdAt": "2026-12-01T10:00:00Z", "updatedAt": "2026-12-01T10:00:00Z", "version": "1"}
            """, s_web)!;

        Assert.Equal("Book a trip", Assert.Single(agent.Card!.Skills).Name);
        Assert.True(agent.Card.Capabilities.Streaming);
        Assert.Equal(["travel"], agent.Routes);
    }
    [Fact]
    public void LlmRoute_SendsItsProviders_RowsGroupedIntoModels_AndThePassiveCheck()
    {
        var form = new RouteFormModel { Kind = RouteKinds.Llm, Name = "models", PassiveHealthCheck = true, ConsecutiveFailures = 2, ActiveHealthCheck = true, HealthPath = string.Empty };
        form.Providers.AddRange(["openai", "claude"]);
        form.Destinations.Add(new DestinationRow { Name = "left-over-from-http", Url = "http://x" });
        var fast = new LlmModelRow { Model = " fast ", Provider = "openai", ProviderModel = "gpt-4o-mini" };
        var smartFirst = new LlmModelRow { Model = "smart", Provider = "openai", ProviderModel = "gpt-4.1", Weight = 3 };
        var smartBackup = new LlmModelRow { Model = "smart", Provider = "claude", ProviderModel = " ", Priority = 1 };
        form.Models.AddRange([fast, smartFirst, new LlmModelRow(), smartBackup]);

        var json = JsonSerializer.SerializeToNode(form.ToNewRoute(), s_web)!.AsObject();

        Assert.Equal("llm", json["kind"]!.GetValue<string>());
        Assert.Equal("""["openai","claude"]""", json["providers"]!.ToJsonString());
        Assert.Equal(
            """[{"name":"fast","targets":[{"provider":"openai","model":"gpt-4o-mini","weight":null,"priority":null}]},""" +
            """{"name":"smart","targets":[{"provider":"openai","model":"gpt-4.1","weight":3,"priority":null},{"provider":"claude","model":null,"weight":null,"priority":1}]}]""",
            json["models"]!.ToJsonString());
        Assert.Equal(2, json["passiveHealthCheck"]!["consecutiveFailures"]!.GetValue<int>());
        Assert.Equal(string.Empty, json["activeHealthCheck"]!["path"]!.GetValue<string>());
        Assert.Null(json["destinations"]);
        Assert.Null(json["targets"]);

        // AdminApi's errors name a row by where the grouping put it.
        Assert.Equal("models[1].targets[1]", form.ModelField(smartBackup));
        Assert.Equal("models[0].targets[0]", form.ModelField(fast));
        Assert.Null(form.ModelField(form.Models[2]));
    }

    [Fact]
    public void EditingAnLlmRoute_ReadsItsModelsBackAsRows_AndTheUpdateSendsThemAgain()
    {
        var route = new RouteInfo(
            "models", "/demo/models", [], "conditional", "http://gateway/demo/models", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "4",
            Kind: RouteKinds.Llm, Providers: ["openai", "claude"], PassiveHealthCheck: new RoutePassiveHealthCheck(3),
            Models: [new RouteLlmModel("smart", [new RouteLlmTarget("openai", "gpt-4.1", 1, 0), new RouteLlmTarget("claude", null, 2, 1)])]);

        var form = RouteFormModel.From(route);
        Assert.Equal(["openai", "claude"], form.Providers);
        Assert.Equal(
            [("smart", "openai", "gpt-4.1", (int?)null, (int?)null), ("smart", "claude", "", 2, 1)],
            form.Models.Select(row => (row.Model, row.Provider, row.ProviderModel, row.Weight, row.Priority)));

        var update = form.ToUpdate(route);
        Assert.Equal(("llm", 2), (update.Kind, update.Models!.Single().Targets.Count));
        Assert.Equal(["openai", "claude"], update.Providers!);
        Assert.Equal(3, update.PassiveHealthCheck!.ConsecutiveFailures);
        Assert.Empty(update.Targets!);

        // Unchecked, the route's passive check is turned off; as an MCP route it sends no providers.
        form.PassiveHealthCheck = false;
        Assert.Equal(RoutePassiveHealthCheck.Off, form.ToUpdate(route).PassiveHealthCheck);
        form.Kind = RouteKinds.Mcp;
        form.Targets.Add("notes");
        Assert.Null(form.ToUpdate(route).Providers);
        Assert.Null(form.ToUpdate(route).Models);
    }

    [Theory]
    [InlineData("openai", "Authorization", "Bearer ")]
    [InlineData("anthropic", "x-api-key", null)]
    [InlineData("azure-openai", "api-key", null)]
    public void AnLlmProvidersKey_IsABackendAuthPolicy_InTheHeaderItsApiExpects(string kind, string header, string? prefix)
    {
        var form = new AgentGateway.Portal.Components.Pages.LlmProviders.LlmProviderForm { Name = " main ", Kind = kind, Url = " https://api.example.test/v1 ", TimeoutMs = 0 };
        Assert.Null(form.KeyPolicy("main"));
        form.KeySecret = "main-key";

        var policy = form.KeyPolicy("main")!;
        Assert.Equal(("main-key", "backend-auth", "llm-provider", "main"), (policy.Name, policy.Kind, policy.TargetRef.Kind, policy.TargetRef.Name));
        Assert.Equal(header, policy.Spec["header"]!["name"]!.GetValue<string>());
        Assert.Equal("main-key", policy.Spec["header"]!["value"]!["secretRef"]!.GetValue<string>());
        Assert.Equal(prefix, policy.Spec["header"]!["prefix"]?.GetValue<string>());
        Assert.Equal(new NewLlmProvider("main", kind, "https://api.example.test/v1", null, null), form.ToNewProvider());
    }

    [Fact]
    public void ABedrockProvidersCredentials_AreASigV4Policy_ForTheUrlsRegion_UnlessOneIsNamed()
    {
        var form = new AgentGateway.Portal.Components.Pages.LlmProviders.LlmProviderForm { Kind = "bedrock", Url = "https://bedrock-runtime.eu-central-1.amazonaws.com" };
        Assert.Null(form.KeyPolicy("aws"));
        Assert.Null(form.Problem());
        form.KeySecret = "aws-key-id";
        Assert.Contains("both", form.Problem(), StringComparison.Ordinal);
        form.SecretKeySecret = "aws-secret-key";
        Assert.Null(form.Problem());

        var aws = form.KeyPolicy("aws")!.Spec["awsSigv4"]!;
        Assert.Equal(("eu-central-1", "bedrock"), ((string?)aws["region"], (string?)aws["service"]));
        Assert.Equal(("aws-key-id", "aws-secret-key"), ((string?)aws["accessKeyId"]!["secretRef"], (string?)aws["secretAccessKey"]!["secretRef"]));
        form.Region = " us-west-2 ";
        Assert.Equal("us-west-2", (string?)form.KeyPolicy("aws")!.Spec["awsSigv4"]!["region"]);
        Assert.Equal(string.Empty, AgentGateway.Portal.Components.Pages.LlmProviders.LlmProviderForm.RegionOf("https://bedrock.example.internal"));
    }

    [Fact]
    public void AVertexAiProvider_AlwaysGetsGoogleAccessTokens_OfItsServiceAccountOrOfTheMachine()
    {
        var form = new AgentGateway.Portal.Components.Pages.LlmProviders.LlmProviderForm { Kind = "vertex-ai", Url = "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1" };
        Assert.Equal("""{"proxyIdentity":true}""", form.KeyPolicy("vertex")!.Spec["gcpAccessToken"]!.ToJsonString());
        form.KeySecret = "vertex-sa";
        Assert.Equal("vertex-sa", (string?)form.KeyPolicy("vertex")!.Spec["gcpAccessToken"]!["serviceAccountKey"]!["secretRef"]);
    }
}
