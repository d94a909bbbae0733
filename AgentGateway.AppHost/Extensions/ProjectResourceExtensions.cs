using Aspire.Hosting.ApplicationModel;

namespace AgentGateway.AppHost.Extensions;

/// <summary>Helpers for the platform's .NET services.</summary>
internal static class ProjectResourceExtensions
{
    /// <summary>
    /// Adds a project on a fixed, non-proxied http endpoint: the URL is the same on every run, so configuration and
    /// demo data that mention it stay valid. Launch profiles and Kestrel settings of the project are ignored.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(
        this IDistributedApplicationBuilder builder, string name, int port, string healthPath = "/readyz")
        where TProject : IProjectMetadata, new()
    {
        return builder.AddProject<TProject>(name, options =>
            {
                options.ExcludeLaunchProfile = true;
                options.ExcludeKestrelEndpoints = true;
            })
            .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithHttpHealthCheck(healthPath);
    }

    /// <summary>Name of a service's management endpoint: Prometheus metrics and health probes on a port of their own.</summary>
    public const string ManagementEndpoint = "management";

    /// <summary>
    /// Gives the service its management listener on <paramref name="port"/> (<c>Management:Url</c>), where Prometheus
    /// scrapes <c>/metrics</c>; the service adds the listener itself, so the endpoint stays out of its URLs.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithManagementEndpoint(this IResourceBuilder<ProjectResource> builder, int port) =>
        builder
            .WithEndpoint(port: port, targetPort: port, scheme: "http", name: ManagementEndpoint, isProxied: false)
            .WithEnvironment("Management__Url", GatewayPorts.Url(port))
            .WithUrlForEndpoint(ManagementEndpoint, url =>
            {
                url.Url = url.Url.TrimEnd('/') + "/metrics";
                url.DisplayText = "Prometheus metrics";
            });
}
