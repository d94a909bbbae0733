using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;

namespace AgentGateway.AppHost.Extensions;

/// <summary>Configuration the platform's services share.</summary>
internal static class ServiceWiringExtensions
{
    /// <summary>Points the service at the identity provider and, for the local issuer, waits until it is healthy.</summary>
    public static IResourceBuilder<ProjectResource> WithIdentity(this IResourceBuilder<ProjectResource> service, AgentGatewayIdentity identity)
    {
        service.WithEnvironment("Identity__Authority", identity.Authority);
        if (identity.Resource is not null)
        {
            service.WaitFor(identity.Resource);
        }

        return service;
    }

    /// <summary>
    /// Makes the Portal link a call's trace id to the trace: <c>Telemetry:TraceUrlTemplate</c> when set, else the Aspire
    /// dashboard's page of the trace (the dashboard is on the AppHost's own URL); nothing when neither is known.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTraceLinks(this IResourceBuilder<ProjectResource> portal)
    {
        var configuration = portal.ApplicationBuilder.Configuration;
        var dashboard = configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        var template = configuration["Telemetry:TraceUrlTemplate"]
            ?? (Uri.TryCreate(dashboard, UriKind.Absolute, out var url) ? $"{url.GetLeftPart(UriPartial.Authority)}/traces/detail/{{traceId}}" : null);
        return template is null ? portal : portal.WithEnvironment("Telemetry__TraceUrlTemplate", template);
    }

    /// <summary>Makes AdminApi seed tenant <c>demo</c> with the two sample MCP servers (only when it does not exist yet).</summary>
    public static IResourceBuilder<ProjectResource> WithDemoData(
        this IResourceBuilder<ProjectResource> adminApi,
        IResourceBuilder<ProjectResource> utils,
        IResourceBuilder<ProjectResource> notes,
        IResourceBuilder<ProjectResource> models,
        GatewayPorts ports)
    {
        // Demo tenants, routes and egress rules for the sample servers are for a development machine (or asked for).
        var builder = adminApi.ApplicationBuilder;
        if (!builder.Environment.IsDevelopment() && !string.Equals(builder.Configuration["DemoData:Enabled"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return adminApi;
        }

        return adminApi
            .WithEnvironment("DemoData__Enabled", "true")
            .WithEnvironment("DemoData__Servers__0__Name", utils.Resource.Name)
            .WithEnvironment("DemoData__Servers__0__Url", GatewayPorts.Url(ports.Utils) + "/mcp")
            .WithEnvironment("DemoData__Servers__0__Description", "Sample MCP server with small utility tools (echo, add, uuid, sha256, base64, now)")
            .WithEnvironment("DemoData__Servers__1__Name", notes.Resource.Name)
            .WithEnvironment("DemoData__Servers__1__Url", GatewayPorts.Url(ports.Notes) + "/mcp")
            .WithEnvironment("DemoData__Servers__1__Description", "Sample MCP server with an in-memory note store")
            .WithEnvironment("DemoData__HttpRoutes__0__Name", "notes-api")
            .WithEnvironment("DemoData__HttpRoutes__0__Url", GatewayPorts.Url(ports.Notes))
            .WithEnvironment("DemoData__HttpRoutes__0__UpstreamPath", "/api/notes")
            .WithEnvironment("DemoData__Models__Name", models.Resource.Name)
            .WithEnvironment("DemoData__Models__Url", GatewayPorts.Url(ports.Models) + "/v1");
    }
}
