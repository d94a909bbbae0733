using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.ConformanceServer.Security;

/// <summary>Wires <see cref="LocalhostOnlyMiddleware"/>.</summary>
internal static class LocalhostOnlyExtensions
{
    public static WebApplicationBuilder AddLocalhostOnly(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<LocalhostOnlyOptions>().BindConfiguration(LocalhostOnlyOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalhostOnlyOptions>, LocalhostOnlyOptionsValidator>());
        return builder;
    }

    public static WebApplication UseLocalhostOnly(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<LocalhostOnlyMiddleware>();
        return app;
    }
}
