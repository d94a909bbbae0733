using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Llm;

/// <summary>
/// A standalone proxy with LLM routes in front of <see cref="RecordedLlmProviders"/>: <c>/acme/openai</c> (model
/// aliases <c>fast</c> for <c>gpt-4o-mini</c> and <c>tooling</c> for a model that calls tools), <c>/acme/anthropic</c>
/// and <c>/acme/open</c> (any model, to Anthropic or OpenAI), <c>/acme/failover</c> (model <c>smart</c>: OpenAI first,
/// Anthropic when it fails), <c>/acme/ejecting</c> (the same, ejecting a provider after one failure),
/// <c>/acme/retried</c> (the same, each target retried twice on 429 and 503), <c>/acme/limited</c> and <c>/acme/limited-shared</c> (100 tokens an hour, local and in Redis),
/// <c>/acme/limited-estimated</c> (20 tokens, for a model that reports no usage), <c>/acme/secure</c> (JWT auth),
/// <c>/acme/guarded</c> (OpenAI: prompts' e-mail addresses and phone numbers masked, card numbers rejected,
/// "Hello there" and "assist you" masked in answers, a moderation webhook behind a fail-open one that is down),
/// <c>/acme/guarded-claude</c> (Anthropic: answers mentioning "from Claude" rejected, "Paris" masked),
/// <c>/acme/stored</c> (API keys <c>sk-alice</c> and <c>sk-bob</c>, for stored responses), <c>/acme/native</c> (the
/// same keys; OpenAI serving the Responses API itself, models <c>fast</c> and <c>tooling</c>), <c>/acme/native-mixed</c>
/// (model <c>smart</c>: that OpenAI first, Anthropic when it fails), <c>/acme/native-guarded</c> and
/// <c>/acme/native-moderated</c> (its answers guarded; the second with an answer webhook too), <c>/acme/native-strict</c>
/// (answers offering to "assist you" rejected), <c>/acme/azure-native</c>
/// (Azure OpenAI's v1 Responses API), <c>/acme/guarded-tools</c> (OpenAI: prompts' e-mail addresses masked, "Paris" masked in answers, tool calls included),
/// <c>/acme/moderated-answers</c> (an answer webhook, streams checked 30 characters at a time) and
/// <c>/acme/moderated-strict</c> (a moderation webhook that is down, failing closed) and <c>/acme/keyed</c> (virtual
/// keys: <c>sk-fast-only</c> for model <c>fast</c> at 2 requests a minute, <c>sk-tokens</c> at 40 tokens a minute, <c>sk-spare</c> at 2 requests a minute,
/// <c>sk-broke</c> with its budget exhausted), <c>/acme/azure</c> (an Azure OpenAI deployment as model <c>fast</c>) and
/// <c>/acme/gemini</c> (Gemini, any model), <c>/acme/bedrock</c> (Bedrock, any model, signed with SigV4),
/// <c>/acme/vertex</c> (a Vertex AI location, any Gemini or Claude model), <c>/acme/probed</c> (probed providers: the first, "sick", has no API at all, so its probes of the model list fail).
/// </summary>
public sealed class LlmGatewayFixture : IAsyncLifetime
{
    public const string Audience = "agw-llm-tests";
    public const string OpenAiKey = "sk-provider-openai";
    public const string AnthropicKey = "sk-ant-provider";
    public const string VertexToken = "ya29.vertex-token";

    private StandaloneProxy? _proxy;

    public RecordedLlmProviders Providers { get; private set; } = null!;

    public TestJwtIssuer Issuer { get; } = new();

    /// <summary>The Redis of the distributed token limit.</summary>
    public RedisServer Redis { get; private set; } = null!;

    public StandaloneProxy Proxy => _proxy!;

    /// <summary>Where the proxy exports its traces.</summary>
    public OtlpReceiver Otlp { get; private set; } = null!;

    /// <summary>The proxy's management listener, where it serves Prometheus.</summary>
    public Uri Management { get; } = new($"http://127.0.0.1:{ServiceProcess.GetFreePort()}");

    /// <summary>A webhook nobody listens on (the discard port).</summary>
    private static string DeadUrl => "http://127.0.0.1:9/moderation";

    /// <summary>The OpenAI base URL of a route, as clients are configured with it.</summary>
    public Uri BaseUrl(string route) => new(Proxy.BaseAddress, $"/acme/{route}/v1");

    /// <summary>The Anthropic base URL of a route (its client adds <c>/v1/messages</c>).</summary>
    public Uri AnthropicBaseUrl(string route) => new(Proxy.BaseAddress, $"/acme/{route}");

    public async ValueTask InitializeAsync()
    {
        Providers = await RecordedLlmProviders.StartAsync();
        Otlp = await OtlpReceiver.StartAsync();
        object OpenAi(string name = "openai") => new
        {
            name,
            kind = "openai",
            url = Providers.OpenAiUrl.ToString(),
            auth = new { header = new { name = "Authorization", prefix = "Bearer ", value = new { inline = OpenAiKey } } },
        };
        object NativeOpenAi() => new
        {
            name = "openai",
            kind = "openai",
            url = Providers.OpenAiUrl.ToString(),
            nativeResponses = true,
            auth = new { header = new { name = "Authorization", prefix = "Bearer ", value = new { inline = OpenAiKey } } },
        };
        // An Azure OpenAI deployment as model "fast": at the deployments API, or at the v1 Responses API.
        object Azure(bool nativeResponses) => new
        {
            providers = new[]
            {
                new
                {
                    name = "azure",
                    kind = "azure-openai",
                    url = Providers.AzureUrl.ToString(),
                    apiVersion = nativeResponses ? string.Empty : "2025-04-01-preview",
                    nativeResponses,
                    auth = new { header = new { name = "api-key", value = new { inline = "azure-key" } } },
                },
            },
            models = new[] { new { name = "fast", targets = new[] { new { provider = "azure", model = "gpt4o-prod" } } } },
        };
        // A model OpenAI serves, and Anthropic when OpenAI fails.
        object[] OpenAiThenClaude(string name, string openAiModel, string claudeModel) =>
        [
            new
            {
                name,
                targets = new object[]
                {
                    new { provider = "openai", model = openAiModel, priority = 0 },
                    new { provider = "anthropic", model = claudeModel, priority = 1 },
                },
            },
        ];
        var aliceAndBob = new
        {
            apiKeyAuth = new
            {
                keys = new object[]
                {
                    new { id = "alice", name = "alice", key = new { inline = "sk-alice" } },
                    new { id = "bob", name = "bob", key = new { inline = "sk-bob" } },
                },
            },
        };
        object Anthropic() => new
        {
            name = "anthropic",
            kind = "anthropic",
            url = Providers.AnthropicUrl.ToString(),
            auth = new { header = new { name = "x-api-key", value = new { inline = AnthropicKey } } },
        };
        object Route(string name, object llm, object? policies = null) => new { tenant = "acme", name, path = $"/acme/{name}", policies, llm };
        var config = new
        {
            routes = new[]
            {
                Route("openai", new
                {
                    providers = new[] { OpenAi() },
                    models = new[]
                    {
                        new { name = "fast", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } },
                        new { name = "tooling", targets = new[] { new { provider = "openai", model = "gpt-4.1-tools" } } },
                    },
                }, new { requestHeaders = new { set = new[] { new { name = "X-Gateway-Route", value = "openai" } } } }),
                Route("anthropic", new { providers = new[] { Anthropic() } }),
                Route("open", new { providers = new[] { OpenAi() } }),
                // A tenant budget the control plane marked spent (as xDS carries it; here from the file).
                new
                {
                    tenant = "acme",
                    name = "spent",
                    path = "/acme/spent",
                    tenantLlmBudgetExhaustedUntil = DateTimeOffset.UtcNow.AddHours(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                    llm = new { providers = new[] { OpenAi() } },
                },
                Route("retried", new
                {
                    providers = new[] { OpenAi(), Anthropic() },
                    models = new[]
                    {
                        new
                        {
                            name = "smart",
                            targets = new object[]
                            {
                                new { provider = "openai", model = "gpt-4.1-retried", priority = 0 },
                                new { provider = "anthropic", model = "claude-sonnet-4-5-retried", priority = 1 },
                            },
                        },
                        new { name = "solo", targets = new object[] { new { provider = "openai", model = "gpt-4.1-solo" } } },
                    },
                }, new { retry = new { attempts = 2, backoffBaseMs = 5, statusCodes = new[] { 429, 503 } } }),
                Route("failover", new
                {
                    providers = new[] { OpenAi(), Anthropic() },
                    models = new[]
                    {
                        new
                        {
                            name = "smart",
                            targets = new object[]
                            {
                                new { provider = "openai", model = "gpt-4.1", priority = 0 },
                                new { provider = "anthropic", model = "claude-sonnet-4-5", priority = 1 },
                            },
                        },
                    },
                }),
                Route("ejecting", new
                {
                    providers = new[] { OpenAi(), Anthropic() },
                    passiveHealthCheck = new { consecutiveFailures = 1, ejectionMs = 60_000 },
                    models = OpenAiThenClaude("steady", "gpt-4.1-steady", "claude-steady"),
                }),
                // Token limits: 100 tokens an hour, each recorded completion using 29.
                Route("limited", new { providers = new[] { OpenAi() } }, new
                {
                    localRateLimit = new { buckets = new[] { new { name = "tokens", key = "route", maxTokens = 100, fillIntervalMs = 3_600_000 } } },
                }),
                Route("limited-estimated", new { providers = new[] { OpenAi() } }, new
                {
                    localRateLimit = new { buckets = new[] { new { name = "tokens", key = "route", maxTokens = 20, fillIntervalMs = 3_600_000 } } },
                }),
                Route("limited-shared", new { providers = new[] { OpenAi() } }, new
                {
                    rateLimit = new { redis = new { buckets = new[] { new { name = "shared-tokens", key = "route", maxTokens = 100, fillIntervalMs = 3_600_000 } } } },
                }),
                Route("secure", new { providers = new[] { Anthropic() } }, new
                {
                    jwtAuth = new { providers = new[] { new { issuer = Issuer.Issuer, audiences = new[] { Audience }, jwks = Issuer.Jwks() } } },
                }),
                Route("guarded", new { providers = new[] { OpenAi() } }, new
                {
                    llmGuards = new
                    {
                        prompt = new object[]
                        {
                            new { name = "no-cards", pii = new[] { "credit-card" }, action = "reject" },
                            new { name = "personal-data", pii = new[] { "email", "phone" } },
                        },
                        answer = new[] { new { name = "greetings", patterns = new[] { "Hello there", "assist you" }, replacement = "[GREETING]" } },
                        webhooks = new object[]
                        {
                            new { name = "optional", url = DeadUrl, failOpen = true, timeoutMs = 2000 },
                            new { name = "moderation", url = Providers.ModerationUrl.ToString(), auth = new { header = new { name = "X-Moderation-Key", value = new { inline = "moderation-key" } } } },
                        },
                    },
                }),
                Route("moderated-answers", new
                {
                    providers = new[] { OpenAi(), Anthropic() },
                    models = new[]
                    {
                        new { name = "gpt-4o-long", targets = new[] { new { provider = "openai", model = "gpt-4o-long" } } },
                        new { name = "gpt-4o-mini", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } },
                        new { name = "claude-sonnet-4-5", targets = new[] { new { provider = "anthropic", model = "claude-sonnet-4-5" } } },
                    },
                }, new
                {
                    llmGuards = new
                    {
                        streamCheckChars = 30,
                        webhooks = new[] { new { name = "answers", url = Providers.AnswerModerationUrl.ToString(), answers = true } },
                    },
                }),
                Route("guarded-tools", new { providers = new[] { OpenAi() } }, new
                {
                    llmGuards = new
                    {
                        prompt = new[] { new { name = "personal-data", pii = new[] { "email" } } },
                        answer = new[] { new { name = "places", patterns = new[] { "Paris" }, replacement = "[CITY]" } },
                    },
                }),
                Route("guarded-claude", new { providers = new[] { Anthropic() } }, new
                {
                    llmGuards = new
                    {
                        answer = new object[]
                        {
                            new { name = "no-names", patterns = new[] { "from Claude" }, action = "reject", message = "The answer named its model." },
                            new { name = "places", patterns = new[] { "Paris" }, replacement = "[CITY]" },
                        },
                    },
                }),
                Route("stored", new
                {
                    providers = new[] { OpenAi() },
                    models = new[] { new { name = "fast", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } } },
                }, aliceAndBob),
                Route("native", new
                {
                    providers = new[] { NativeOpenAi() },
                    models = new[]
                    {
                        new { name = "fast", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } },
                        new { name = "tooling", targets = new[] { new { provider = "openai", model = "gpt-4.1-tools" } } },
                    },
                }, aliceAndBob),
                Route("native-mixed", new
                {
                    providers = new[] { NativeOpenAi(), Anthropic() },
                    models = OpenAiThenClaude("smart", "gpt-4.1", "claude-sonnet-4-5"),
                }),
                Route("native-guarded", new { providers = new[] { NativeOpenAi() } }, new
                {
                    llmGuards = new
                    {
                        answer = new[] { new { name = "greetings", patterns = new[] { "Hello there", "assist you" }, replacement = "[GREETING]" } },
                    },
                }),
                Route("native-strict", new { providers = new[] { NativeOpenAi() } }, new
                {
                    llmGuards = new
                    {
                        answer = new[] { new { name = "no-offers", patterns = new[] { "assist you" }, action = "reject", message = "The answer offered help." } },
                    },
                }),
                Route("native-moderated", new { providers = new[] { NativeOpenAi() } }, new
                {
                    llmGuards = new
                    {
                        streamCheckChars = 20,
                        answer = new[] { new { name = "greetings", patterns = new[] { "Hello there" }, replacement = "[GREETING]" } },
                        webhooks = new[] { new { name = "answers", url = Providers.AnswerModerationUrl.ToString(), answers = true } },
                    },
                }),
                Route("azure-native", Azure(nativeResponses: true)),
                Route("keyed", new
                {
                    providers = new[] { OpenAi() },
                    models = new[]
                    {
                        new { name = "fast", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } },
                        new { name = "other", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } },
                    },
                }, new
                {
                    apiKeyAuth = new
                    {
                        keys = new object[]
                        {
                            new { id = "fast-only", name = "fast-only", key = new { inline = "sk-fast-only" }, llm = new { models = new[] { "fast" }, requestsPerMinute = 2 } },
                            new { id = "tokens", name = "tokens", key = new { inline = "sk-tokens" }, llm = new { tokensPerMinute = 40 } },
                            new { id = "spare", name = "spare", key = new { inline = "sk-spare" }, llm = new { requestsPerMinute = 2 } },
                            new
                            {
                                id = "broke", name = "broke", key = new { inline = "sk-broke" },
                                llm = new { budget = new { amount = 5.0, period = "month" }, budgetExhaustedUntil = DateTimeOffset.UtcNow.AddDays(3).ToString("O") },
                            },
                        },
                    },
                }),
                Route("azure", Azure(nativeResponses: false)),
                Route("gemini", new
                {
                    providers = new[]
                    {
                        new
                        {
                            name = "gemini",
                            kind = "gemini",
                            url = new Uri(Providers.Address, "/gemini/v1beta").ToString(),
                            auth = new { header = new { name = "x-goog-api-key", value = new { inline = "gemini-key" } } },
                        },
                    },
                }),
                Route("bedrock", new
                {
                    providers = new[]
                    {
                        new
                        {
                            name = "bedrock",
                            kind = "bedrock",
                            url = Providers.BedrockUrl.ToString(),
                            auth = new
                            {
                                awsSigv4 = new
                                {
                                    region = "us-east-1",
                                    service = "bedrock",
                                    accessKeyId = new { inline = RecordedLlmProviders.AwsAccessKey },
                                    secretAccessKey = new { inline = RecordedLlmProviders.AwsSecretKey },
                                },
                            },
                        },
                    },
                }),
                Route("vertex", new
                {
                    providers = new[]
                    {
                        new
                        {
                            name = "vertex",
                            kind = "vertex-ai",
                            url = Providers.VertexUrl.ToString(),
                            auth = new { header = new { name = "Authorization", prefix = "Bearer ", value = new { inline = VertexToken } } },
                        },
                    },
                }),
                Route("probed", new
                {
                    providers = new object[] { new { name = "sick", kind = "openai", url = new Uri(Providers.Address, "/sick/v1").ToString() }, OpenAi() },
                    activeHealthCheck = new { intervalMs = 200, timeoutMs = 1000, unhealthyThreshold = 1 },
                    models = new[]
                    {
                        new
                        {
                            name = "careful",
                            targets = new object[] { new { provider = "sick", model = "gpt-4o-mini", priority = 0 }, new { provider = "openai", model = "gpt-4o-mini", priority = 1 } },
                        },
                    },
                }),
                Route("moderated-strict", new { providers = new[] { OpenAi() } }, new
                {
                    llmGuards = new { webhooks = new[] { new { name = "required", url = DeadUrl, timeoutMs = 2000 } } },
                }),
            },
        };
        Redis = await RedisServer.StartAsync(TestContext.Current.CancellationToken);
        _proxy = await StandaloneProxy.StartAsync(config, TestContext.Current.CancellationToken,
            new Dictionary<string, string>(Otlp.Settings(TimeSpan.FromMilliseconds(300)))
            {
                ["RateLimiting:Redis"] = Redis.ConnectionString,
                ["Management:Url"] = Management.ToString().TrimEnd('/'),
            });
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (Otlp is not null)
        {
            await Otlp.DisposeAsync();
        }

        if (Providers is not null)
        {
            await Providers.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        Issuer.Dispose();
    }
}
