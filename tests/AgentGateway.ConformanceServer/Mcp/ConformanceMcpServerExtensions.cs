using System.Text.Json;
using AgentGateway.ConformanceServer.Mcp.Caching;
using AgentGateway.ConformanceServer.Mcp.InputRequired;
using AgentGateway.ConformanceServer.Mcp.Prompts;
using AgentGateway.ConformanceServer.Mcp.Resources;
using AgentGateway.ConformanceServer.Mcp.Resumability;
using AgentGateway.ConformanceServer.Mcp.Subscriptions;
using AgentGateway.ConformanceServer.Mcp.Tools;
using AgentGateway.ConformanceServer.Mcp.Versioning;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp;

/// <summary>
/// Wires the conformance fixture: every tool, prompt and resource the MCP conformance suite's server scenarios
/// expect, served over Streamable HTTP at <c>/mcp</c>. Clients that send <c>initialize</c> (2025 revisions) get a
/// session; clients on 2026-07-28 are served statelessly on the same endpoint.
/// </summary>
internal static class ConformanceMcpServerExtensions
{
    public const string Path = "/mcp";

    public static WebApplicationBuilder AddConformanceMcpServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<RequestStateProtector>();
        builder.Services.TryAddSingleton<ListChangedBroadcaster>();
        builder.Services.TryAddSingleton<ResourceSubscriptions>();
        builder.Services.AddDistributedMemoryCache();

        builder.Services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new() { Name = "agentgateway-conformance-fixture", Version = "1.0.0" };
                options.Capabilities = new()
                {
                    Tools = new() { ListChanged = true },
                    Prompts = new() { ListChanged = true },
                    Resources = new() { ListChanged = true, Subscribe = true },
                };
            })
            .WithHttpTransport(options => options.SessionMode = HttpServerSessionMode.StatefulForInitializeClients)
            .WithDistributedCacheEventStreamStore(options => options.StreamReaderPollingInterval = TimeSpan.FromMilliseconds(50))
            .WithTools<ContentTools>()
            .WithTools<NotificationTools>()
            .WithTools<ClientRequestTools>()
            .WithTools<StreamTools>()
            .WithTools<StatelessDiagnosticTools>()
            .WithTools<InputRequiredTools>()
            .WithTools<ListChangeTools>()
            .WithTools([JsonSchema202012Tool.Create()])
            .WithPrompts<ConformancePrompts>()
            .WithPrompts<InputRequiredPrompts>()
            .WithResources<ConformanceResources>()
            .WithSubscribeToResourcesHandler(SubscribeAsync)
            .WithUnsubscribeFromResourcesHandler(UnsubscribeAsync)
            .WithSubscriptionsListenHandler(SubscriptionsListenHandler.HandleAsync)
            .WithCompleteHandler(CompleteAsync)
            .WithSetLoggingLevelHandler(SetLoggingLevelAsync)
            .WithRequestFilters(filters => filters.AddCachingHints().AddResourceNotFoundData());

        // Resumed streams keep streaming until the response, so a client that reconnects at once still gets it.
        builder.Services.TryAddSingleton<DistributedCacheEventStreamStore>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ISseEventStreamStore, ResumableEventStreamStore>());
        return builder;
    }

    public static WebApplication MapConformanceMcpServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(Path, StringComparison.Ordinal),
            branch =>
            {
                if (app.Configuration.GetValue<bool>("Conformance:StatelessOnly"))
                {
                    branch.UseMiddleware<StatelessOnlyMiddleware>();
                }

                branch.UseMiddleware<UnsupportedVersionMiddleware>();
            });
        app.MapMcp(Path);
        return app;
    }

    private static ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> context, CancellationToken cancellationToken)
    {
        if (context.Server.SessionId is { } sessionId && context.Params?.Uri is { } uri)
        {
            context.Services!.GetRequiredService<ResourceSubscriptions>().Add(sessionId, uri);
        }

        return ValueTask.FromResult(new EmptyResult());
    }

    private static ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> context, CancellationToken cancellationToken)
    {
        if (context.Server.SessionId is { } sessionId && context.Params?.Uri is { } uri)
        {
            context.Services!.GetRequiredService<ResourceSubscriptions>().Remove(sessionId, uri);
        }

        return ValueTask.FromResult(new EmptyResult());
    }

    private static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new CompleteResult { Completion = new Completion { Values = [], Total = 0, HasMore = false } });

    private static async ValueTask<EmptyResult> SetLoggingLevelAsync(RequestContext<SetLevelRequestParams> context, CancellationToken cancellationToken)
    {
        await context.Server.SendNotificationAsync(NotificationMethods.LoggingMessageNotification, new LoggingMessageNotificationParams
        {
            Level = LoggingLevel.Info,
            Logger = FixtureData.LoggerName,
            Data = JsonSerializer.SerializeToElement($"Log level set to: {context.Params?.Level}", McpJsonUtilities.DefaultOptions),
        }, cancellationToken: cancellationToken);
        return new EmptyResult();
    }
}
