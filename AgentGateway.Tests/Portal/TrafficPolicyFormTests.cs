using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Pages.Policies;
using AgentGateway.Portal.Components.Pages.Policies.Forms;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// The forms of the traffic and rate-limit policy kinds write the specs their fields say, which AdminApi parses (and,
/// where it knows the kind, validates) the same way.
/// </summary>
public sealed class TrafficPolicyFormTests
{
    [Fact]
    public void HeadersForm_LeavesBlankRowsOut_AndKeepsValuesAsTyped()
    {
        var form = (HeaderModifierModel)PolicySpecModel.For(PolicyKindCatalog.RequestHeaders, [])!;
        form.Set.Add(new NameValueModel { Name = " X-Team ", Value = " blue " });
        form.Set.Add(new NameValueModel());
        form.Add.Add(new NameValueModel { Name = "Via", Value = "agentgateway" });
        form.Remove = "X-Debug,\nServer";

        var spec = form.Write();

        Assert.Equal("""{"add":[{"name":"Via","value":"agentgateway"}],"set":[{"name":"X-Team","value":" blue "}],"remove":["X-Debug","Server"]}""", spec.ToJsonString());
        Assert.Empty(PolicySpecFormTests.Problems(PolicyKindCatalog.RequestHeaders, spec));
        var read = HeaderModifierModel.Read(spec);
        Assert.Equal(" blue ", read.Set[0].Value);
        Assert.Equal("X-Debug, Server", read.Remove);
    }

    [Fact]
    public void RedirectForm_WritesOnlyThePathFieldItsModeNames()
    {
        var form = RedirectModel.Read(JsonNode.Parse("""{"replaceFullPath": "/old", "port": 8443}""")!.AsObject());
        Assert.Equal(RedirectModel.FullPath, form.PathMode);

        form.PathMode = RedirectModel.PrefixPath;
        form.Path = "/v2";
        form.Port = 0;
        form.Scheme = "https";
        form.StatusCode = 308;
        var spec = form.Write();

        Assert.Equal("""{"scheme":"https","replacePrefixMatch":"/v2","statusCode":308}""", spec.ToJsonString());
        Assert.Empty(PolicySpecFormTests.Problems(PolicyKindCatalog.Redirect, spec));
        form.PathMode = RedirectModel.KeepPath;
        Assert.False(form.Write().ContainsKey("replacePrefixMatch"));
    }

    [Fact]
    public void CorsForm_UpperCasesMethods_AndLeavesDefaultsOut()
    {
        var form = new CorsModel { AllowOrigins = "https://app.example.com, https://*.example.com", AllowMethods = "get, post", AllowCredentials = false, MaxAgeSeconds = 0 };

        var spec = form.Write();

        Assert.Equal("""{"allowOrigins":["https://app.example.com","https://*.example.com"],"allowMethods":["GET","POST"]}""", spec.ToJsonString());
        form.AllowCredentials = true;
        Assert.True(form.Write()["allowCredentials"]!.GetValue<bool>());
        Assert.Empty(PolicySpecFormTests.Problems(PolicyKindCatalog.Cors, form.Write()));
    }

    [Fact]
    public void RetryForm_StatusesAreNumbers_AndATypoIsRefusedOnItsItem()
    {
        var form = (RetryModel)PolicySpecModel.For(PolicyKindCatalog.Retry, [])!;
        form.Attempts = 3;
        form.StatusCodes = "503, 429";
        form.RetryOn.Add("timeout");
        form.RetryOn.Add("connect-failure");
        form.AllowNonIdempotent = true;

        var spec = form.Write();

        Assert.Equal("""{"attempts":3,"statusCodes":[503,429],"retryOn":["connect-failure","timeout"],"allowNonIdempotent":true}""", spec.ToJsonString());
        Assert.Empty(PolicySpecFormTests.Problems(PolicyKindCatalog.Retry, spec));

        form.StatusCodes = "503, 5o3";
        var problem = Assert.Single(PolicySpecFormTests.Problems(PolicyKindCatalog.Retry, form.Write()));
        Assert.StartsWith("spec.statusCodes[1]", problem.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeoutsAndDirectResponse_EmptyFieldsAreLeftOut()
    {
        Assert.Equal("""{"requestMs":5000}""", new TimeoutsModel { RequestMs = 5000, BackendRequestMs = 0 }.Write().ToJsonString());

        var direct = new DirectResponseModel { Status = 418, Body = "  short and stout\n" };
        var spec = direct.Write();
        Assert.Equal("  short and stout\n", spec["body"]!.GetValue<string>());
        Assert.False(spec.ContainsKey("contentType"));
        Assert.Empty(PolicySpecFormTests.Problems(PolicyKindCatalog.DirectResponse, spec));
    }

    [Theory]
    [InlineData("route", RateLimitBucketModel.Route, "")]
    [InlineData("claim:sub", RateLimitBucketModel.Claim, "sub")]
    [InlineData("header:x-team", RateLimitBucketModel.Header, "x-team")]
    [InlineData("api-key", RateLimitBucketModel.ApiKey, "")]
    public void RateLimitBucket_KeyIsReadAsKindAndName_AndWrittenBack(string key, string kind, string name)
    {
        var bucket = RateLimitBucketModel.Read(new JsonObject { ["name"] = "b", ["key"] = key, ["maxTokens"] = 10 });

        Assert.Equal(kind, bucket.KeyKind);
        Assert.Equal(name, bucket.KeyName);
        Assert.Equal(key, bucket.Write()["key"]!.GetValue<string>());
    }

    [Fact]
    public void LocalRateLimitForm_BucketsTable_WritesEachBucket_RouteKeyByDefaultLeftOut()
    {
        var form = (LocalRateLimitModel)PolicySpecModel.For(PolicyKindCatalog.LocalRateLimit, [])!;
        form.Buckets.Add(new RateLimitBucketModel { Name = "per-route", MaxTokens = 100, TokensPerFill = 0 });
        form.Buckets.Add(new RateLimitBucketModel { Name = "per-user", KeyKind = RateLimitBucketModel.Claim, KeyName = " sub ", MaxTokens = 10, FillIntervalMs = 60000 });

        var spec = form.Write();

        Assert.Equal(
            """{"buckets":[{"name":"per-route","maxTokens":100},{"name":"per-user","key":"claim:sub","maxTokens":10,"fillIntervalMs":60000}]}""",
            spec.ToJsonString());
        Assert.Empty(PolicySpecFormTests.Problems(PolicyKindCatalog.LocalRateLimit, spec));
    }

    [Fact]
    public void RateLimitForm_SwitchingToEnvoy_WritesTheServiceAndDropsRedis_KeepingWhatItDoesNotShow()
    {
        var form = (DistributedRateLimitModel)PolicySpecModel.For(PolicyKindCatalog.RateLimit, PolicyKindCatalog.Example(PolicyKindCatalog.RateLimit, []))!;
        Assert.Equal(DistributedRateLimitModel.Redis, form.Service);
        Assert.Equal("api-key", Assert.Single(form.Buckets).Key);

        form.Service = DistributedRateLimitModel.Envoy;
        form.Address = "http://ratelimit:8081";
        form.Domain = "agents";
        form.Descriptors.Add(new DescriptorModel([new NameValueModel { Name = "client", Value = "%client_ip%" }, new NameValueModel { Name = "route", Value = "%route%" }]));
        form.FailureMode = DistributedRateLimitModel.FailClosed;
        var spec = form.Write();

        Assert.False(spec.ContainsKey("redis"));
        Assert.Equal(
            """{"address":"http://ratelimit:8081","domain":"agents","descriptors":[{"entries":[{"name":"client","value":"%client_ip%"},{"name":"route","value":"%route%"}]}]}""",
            spec["envoy"]!.ToJsonString());
        Assert.Equal("closed", spec["failureMode"]!.GetValue<string>());
        Assert.Equal(100, spec["timeoutMs"]!.GetValue<int>());
        Assert.Empty(PolicySpecFormTests.Problems(PolicyKindCatalog.RateLimit, spec));

        var read = DistributedRateLimitModel.Read(spec);
        Assert.Equal(DistributedRateLimitModel.Envoy, read.Service);
        Assert.Equal("%route%", read.Descriptors[0].Entries[1].Value);
        Assert.True(JsonNode.DeepEquals(spec, read.Write()));
    }

    [Fact]
    public void JsonOnlyKinds_StartFromATemplateOfTheirShape()
    {
        Assert.Null(PolicySpecModel.For(PolicyKindCatalog.UrlRewrite, []));
        Assert.Null(PolicySpecModel.For(PolicyKindCatalog.Mirrors, []));
        Assert.Null(PolicySpecModel.For(PolicyKindCatalog.A2aAuthorization, []));
        Assert.NotNull(PolicyKindCatalog.Example(PolicyKindCatalog.Mirrors, [])["mirrors"]![0]!["url"]);
        Assert.Contains("a2a.method", PolicyKindCatalog.Example(PolicyKindCatalog.A2aAuthorization, [])["rules"]![0]!["expression"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
