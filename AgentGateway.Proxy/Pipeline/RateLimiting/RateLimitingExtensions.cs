using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

internal static class RateLimitingExtensions
{
    /// <summary>Local token buckets, Redis-backed buckets and the Envoy rate-limit service client (<c>RateLimiting</c> section).</summary>
    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.TryAddSingleton<LocalRateLimiter>();
        services.TryAddSingleton<RedisRateLimitStore>();
        services.TryAddSingleton<EnvoyRateLimitClient>();
        services.TryAddSingleton<RouteRateLimiter>();
        return services;
    }
}
