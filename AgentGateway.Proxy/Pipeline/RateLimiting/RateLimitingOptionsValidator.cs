using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        var failures = new List<string>();
        if (options.Redis is { Length: > 0 } redis)
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(redis);
            }
            catch (ArgumentException exception)
            {
                failures.Add($"RateLimiting:Redis is not a Redis connection string ({exception.Message}); use host:port[,password=...], e.g. localhost:6379.");
            }
        }

        if (options.KeyPrefix.Length > 64)
        {
            failures.Add("RateLimiting:KeyPrefix must be at most 64 characters, e.g. agw:rl:.");
        }

        if (options.MaxLocalBuckets is < 16 or > 10_000_000)
        {
            failures.Add("RateLimiting:MaxLocalBuckets must be between 16 and 10000000, e.g. 100000.");
        }

        if (options.SweepInterval < TimeSpan.FromMilliseconds(100) || options.SweepInterval > TimeSpan.FromHours(1))
        {
            failures.Add("RateLimiting:SweepInterval must be between 00:00:00.1 and 01:00:00, e.g. 00:00:30.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
