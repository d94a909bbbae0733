using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Limits;

internal static class LimitsExtensions
{
    /// <summary>How long a regular expression without a timeout of its own may run on one input: tenants' expressions (CEL's <c>matches</c> included) are bounded by it.</summary>
    public static readonly TimeSpan RegexMatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Makes <see cref="RegexMatchTimeout"/> the process's default. Call first thing: the runtime reads the default once,
    /// when the first expression is built.
    /// </summary>
    public static void BoundRegularExpressions() => AppDomain.CurrentDomain.SetData("REGEX_DEFAULT_MATCH_TIMEOUT", RegexMatchTimeout);

    /// <summary>The proxy's limits (<see cref="GatewayLimitsOptions"/>): validated at start, and the request body limit given to Kestrel.</summary>
    public static IHostApplicationBuilder AddGatewayLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<GatewayLimitsOptions>().BindConfiguration(GatewayLimitsOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayLimitsOptions>, GatewayLimitsOptionsValidator>());
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayLimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        return builder;
    }
}
