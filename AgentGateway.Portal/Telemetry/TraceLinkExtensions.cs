using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Portal.Telemetry;

internal static class TraceLinkExtensions
{
    /// <summary>Links from a call's trace id to its trace (<c>Telemetry:TraceUrlTemplate</c>), checked at start.</summary>
    public static IHostApplicationBuilder AddTraceLinks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TraceLinkOptions>().BindConfiguration(TraceLinkOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TraceLinkOptions>, TraceLinkOptionsValidator>());
        builder.Services.TryAddSingleton<TraceLinks>();
        return builder;
    }
}
