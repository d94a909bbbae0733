using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Subscriptions;

/// <summary>
/// Serves <c>subscriptions/listen</c> (SEP-2575): acknowledges the list-changed notifications it will deliver, then
/// relays matching ones from <see cref="ListChangedBroadcaster"/> on the request's own response stream, each tagged
/// with the subscription id, until the client goes away.
/// </summary>
internal static class SubscriptionsListenHandler
{
    public static async ValueTask<EmptyResult> HandleAsync(RequestContext<SubscriptionsListenRequestParams> context, CancellationToken cancellationToken)
    {
        var broadcaster = context.Services?.GetRequiredService<ListChangedBroadcaster>()
            ?? throw new InvalidOperationException("No request services are available to resolve the list-changed broadcaster.");
        var requested = context.Params?.Notifications ?? new SubscriptionsListenNotifications();
        var granted = new SubscriptionsListenNotifications
        {
            ToolsListChanged = requested.ToolsListChanged == true ? true : null,
            PromptsListChanged = requested.PromptsListChanged == true ? true : null,
            ResourcesListChanged = requested.ResourcesListChanged == true ? true : null,
        };

        using var listener = broadcaster.Listen();
        var subscriptionId = context.JsonRpcRequest.Id;

        var acknowledgement = JsonSerializer.SerializeToNode(
            new SubscriptionsAcknowledgedNotificationParams { Notifications = granted },
            McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(SubscriptionsAcknowledgedNotificationParams)))!.AsObject();
        await SendAsync(context.Server, NotificationMethods.SubscriptionsAcknowledgedNotification, acknowledgement, subscriptionId, cancellationToken);

        await foreach (var method in listener.Notifications.ReadAllAsync(cancellationToken))
        {
            if (Grants(granted, method))
            {
                await SendAsync(context.Server, method, [], subscriptionId, cancellationToken);
            }
        }

        return new EmptyResult();
    }

    private static bool Grants(SubscriptionsListenNotifications granted, string method) => method switch
    {
        NotificationMethods.ToolListChangedNotification => granted.ToolsListChanged == true,
        NotificationMethods.PromptListChangedNotification => granted.PromptsListChanged == true,
        NotificationMethods.ResourceListChangedNotification => granted.ResourcesListChanged == true,
        _ => false,
    };

    private static Task SendAsync(McpServer server, string method, JsonObject parameters, RequestId subscriptionId, CancellationToken cancellationToken)
    {
        var meta = parameters["_meta"] as JsonObject ?? [];
        meta[MetaKeys.SubscriptionId] = subscriptionId.Id switch
        {
            string text => JsonValue.Create(text),
            long number => JsonValue.Create(number),
            _ => null,
        };
        parameters["_meta"] = meta;
        return server.SendNotificationAsync(method, parameters, cancellationToken: cancellationToken);
    }
}
