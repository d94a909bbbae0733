using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>Rate limits: local token buckets and distributed limits (Redis or an Envoy rate-limit service).</summary>
public static partial class PolicyValidator
{
    /// <summary>The largest bucket size and fill; large enough for LLM token budgets.</summary>
    public const uint MaxBucketTokens = 1_000_000_000;

    /// <summary>The longest fill interval: one day.</summary>
    public const uint MaxFillIntervalMs = 86_400_000;

    private const uint MaxRateLimitTimeoutMs = 10_000;
    private const int MaxBuckets = 16;
    private const int MaxDescriptors = 16;
    private const int MaxDescriptorEntries = 16;

    private static void ValidateRateLimits(RoutePolicies policies, string path, List<ConfigError> errors)
    {
        if (policies.LocalRateLimit is { } local)
        {
            var field = Join(path, "localRateLimit");
            if (local.Buckets.Count == 0)
            {
                errors.Add(new ConfigError(Join(field, "buckets"), "must hold at least one bucket"));
            }

            Buckets(local.Buckets, Join(field, "buckets"), errors);
        }

        if (policies.RateLimit is { } distributed)
        {
            Validate(distributed, Join(path, "rateLimit"), errors);
        }
    }

    public static void Validate(DistributedRateLimit limit, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ArgumentNullException.ThrowIfNull(errors);
        switch (limit.ServiceCase)
        {
            case DistributedRateLimit.ServiceOneofCase.Redis:
                if (limit.Redis.Buckets.Count == 0)
                {
                    errors.Add(new ConfigError(Join(path, "redis.buckets"), "must hold at least one bucket (the counters kept in Redis)"));
                }

                Buckets(limit.Redis.Buckets, Join(path, "redis.buckets"), errors);
                break;
            case DistributedRateLimit.ServiceOneofCase.Envoy:
                Validate(limit.Envoy, Join(path, "envoy"), errors);
                break;
            default:
                errors.Add(new ConfigError(path, "needs a service: redis or envoy"));
                break;
        }

        if (limit.TimeoutMs > MaxRateLimitTimeoutMs)
        {
            errors.Add(new ConfigError(Join(path, "timeoutMs"), $"must be at most {MaxRateLimitTimeoutMs} (ten seconds); 0 takes 100"));
        }

        if (limit.FailureMode is not ("" or RateLimitKeys.FailureModeOpen or RateLimitKeys.FailureModeClosed))
        {
            errors.Add(new ConfigError(Join(path, "failureMode"), "must be 'open' (allow when the limiter is unreachable) or 'closed' (refuse with 429)"));
        }
    }

    private static void Validate(EnvoyRateLimitService service, string path, List<ConfigError> errors)
    {
        if (!IsHttpUrl(service.Address, out var address) || address!.AbsolutePath is not ("/" or ""))
        {
            errors.Add(new ConfigError(Join(path, "address"), "must be the service's absolute http(s) URL without a path, e.g. http://ratelimit:8081"));
        }

        if (string.IsNullOrWhiteSpace(service.Domain))
        {
            errors.Add(new ConfigError(Join(path, "domain"), "is required: the domain of the rate-limit service's configuration"));
        }

        var descriptorsField = Join(path, "descriptors");
        if (service.Descriptors.Count is 0 or > MaxDescriptors)
        {
            errors.Add(new ConfigError(descriptorsField, $"must hold between 1 and {MaxDescriptors} descriptors"));
        }

        for (var index = 0; index < service.Descriptors.Count; index++)
        {
            var entries = service.Descriptors[index].Entries;
            var field = $"{descriptorsField}[{index}].entries";
            if (entries.Count is 0 or > MaxDescriptorEntries)
            {
                errors.Add(new ConfigError(field, $"must hold between 1 and {MaxDescriptorEntries} entries"));
            }

            for (var entry = 0; entry < entries.Count; entry++)
            {
                var entryField = $"{field}[{entry}]";
                if (string.IsNullOrWhiteSpace(entries[entry].Name))
                {
                    errors.Add(new ConfigError(Join(entryField, "name"), "is required: the descriptor key the service's configuration matches"));
                }

                DescriptorValue(entries[entry].Value, Join(entryField, "value"), errors);
            }
        }
    }

    private static void DescriptorValue(string value, string path, List<ConfigError> errors)
    {
        if (value.Length == 0)
        {
            errors.Add(new ConfigError(path, "is required: literal text and/or placeholders such as %tenant% or %claim:sub%"));
            return;
        }

        if (!RateLimitKeys.TrySplitTemplate(value, out var parts, out var unclosed))
        {
            errors.Add(new ConfigError(path, $"has a '%' that is not closed: '{unclosed}'"));
            return;
        }

        foreach (var (text, isPlaceholder) in parts)
        {
            if (isPlaceholder && !RateLimitKeys.TryParsePlaceholder(text, out _, out _))
            {
                errors.Add(new ConfigError(path,
                    $"names an unknown placeholder '%{text}%': use %route%, %tenant%, %api_key%, %client_ip%, %claim:<name>% or %header:<name>%"));
            }
        }
    }

    private static void Buckets(IReadOnlyList<RateLimitBucket> buckets, string path, List<ConfigError> errors)
    {
        if (buckets.Count > MaxBuckets)
        {
            errors.Add(new ConfigError(path, $"must hold at most {MaxBuckets} buckets"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < buckets.Count; index++)
        {
            var bucket = buckets[index];
            var field = $"{path}[{index}]";
            if (!RateLimitKeys.IsValidBucketName(bucket.Name))
            {
                errors.Add(new ConfigError(Join(field, "name"), "is required: 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"));
            }
            else if (!names.Add(bucket.Name))
            {
                errors.Add(new ConfigError(Join(field, "name"), $"'{bucket.Name}' is already the name of another bucket of this policy"));
            }

            if (!RateLimitKeys.TryParse(bucket.Key, out _, out _))
            {
                errors.Add(new ConfigError(Join(field, "key"),
                    $"'{bucket.Key}' is not a key: use route, tenant, api-key, client-ip, claim:<name> or header:<name>"));
            }

            if (bucket.MaxTokens is 0 or > MaxBucketTokens)
            {
                errors.Add(new ConfigError(Join(field, "maxTokens"), $"must be between 1 and {MaxBucketTokens}"));
            }

            if (bucket.TokensPerFill > bucket.MaxTokens && bucket.MaxTokens > 0)
            {
                errors.Add(new ConfigError(Join(field, "tokensPerFill"), $"must be at most maxTokens ({bucket.MaxTokens}); 0 takes maxTokens"));
            }

            if (bucket.FillIntervalMs > MaxFillIntervalMs)
            {
                errors.Add(new ConfigError(Join(field, "fillIntervalMs"), $"must be at most {MaxFillIntervalMs} (one day); 0 takes 1000"));
            }
        }
    }
}
