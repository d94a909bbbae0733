using AgentGateway.Proxy.Config.File;
using AgentGateway.Proxy.Config.Xds;
using AgentGateway.Proxy.Pipeline.Snapshots;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config;

internal static class GatewayConfigurationExtensions
{
    /// <summary><c>--config FILE</c> selects standalone mode.</summary>
    public static IDictionary<string, string> CommandLineSwitches { get; } = new Dictionary<string, string>
    {
        ["--config"] = "Gateway:ConfigFile",
    };

    /// <summary>
    /// Registers where config comes from: the standalone file when <c>Gateway:ConfigFile</c> is set, else the
    /// control plane over xDS. Both feed the same <see cref="SnapshotStore"/>.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayConfiguration(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<GatewayFileOptions>().BindConfiguration(GatewayFileOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayFileOptions>, GatewayFileOptionsValidator>());
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{GatewayFileOptions.SectionName}:ConfigFile"]))
        {
            services.AddHostedService<GatewayFileWatcher>();
            return builder;
        }

        services.AddOptions<XdsOptions>()
            .BindConfiguration(XdsOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
                options.Authority ??= configuration.GetValue<Uri?>("Identity:Authority"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<XdsOptions>, XdsOptionsValidator>());
        services.AddHttpClient(XdsClient.HttpClientName).WithoutResilience();
        services.AddHttpClient(ClientCredentialsTokenSource.HttpClientName);
        services.TryAddSingleton<ClientCredentialsTokenSource>();
        services.TryAddSingleton<Upstream.Auth.IUserTokenSource, ControlPlaneUserTokens>();
        services.AddHostedService<XdsClient>();
        services.AddHostedService<GatewayReporter>();
        return builder;
    }
}
