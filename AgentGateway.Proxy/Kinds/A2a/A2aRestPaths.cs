namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Recognizes the HTTP+JSON (REST) binding's operations by path and method: v0.3's <c>/v1/message:send</c>,
/// <c>/v1/tasks/{id}</c>, <c>/v1/card</c>, ... and v1.0's <c>/message:send</c>, <c>/tasks/{id}:cancel</c>,
/// <c>/extendedAgentCard</c>, ... (the latter optionally below a <c>/{tenant}</c> segment), wherever the interface
/// sits below the route.
/// </summary>
internal static class A2aRestPaths
{
    /// <summary>
    /// The operation <paramref name="path"/> (relative to the route's base) names, or null when it is none of the
    /// binding's. The binding's paths sit below its interface URL, which may be anywhere below the agent's base URL,
    /// so the path's last segments decide (the longest form first); a <c>v1</c> segment before them is v0.3's.
    /// </summary>
    public static (string Method, string Version, string? TaskId)? Classify(string httpMethod, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var length = Math.Min(4, segments.Length); length > 0; length--)
        {
            var start = segments.Length - length;
            var legacy = start > 0 && segments[start - 1] == "v1";
            if (Match(httpMethod, segments.AsSpan(start), legacy) is { } found)
            {
                return (found.Method, legacy ? A2aVersions.V03 : A2aVersions.V10, found.TaskId);
            }
        }

        return null;
    }

    private static (string Method, string? TaskId)? Match(string httpMethod, ReadOnlySpan<string> segments, bool legacy)
    {
        var get = HttpMethods.IsGet(httpMethod);
        var post = HttpMethods.IsPost(httpMethod);
        switch (segments.Length)
        {
            case 1:
                return segments[0] switch
                {
                    "message:send" when post => (A2aMethods.SendMessage, null),
                    "message:stream" when post => (A2aMethods.SendStreamingMessage, null),
                    "card" when get && legacy => (A2aMethods.GetExtendedAgentCard, null),
                    "extendedAgentCard" when get && !legacy => (A2aMethods.GetExtendedAgentCard, null),
                    "tasks" when get => (A2aMethods.ListTasks, null),
                    _ => null,
                };
            case 2 when segments[0] == "tasks":
                var task = segments[1];
                if (task.EndsWith(":cancel", StringComparison.Ordinal))
                {
                    return post ? (A2aMethods.CancelTask, task[..^":cancel".Length]) : null;
                }

                if (task.EndsWith(":subscribe", StringComparison.Ordinal))
                {
                    return post || get ? (A2aMethods.SubscribeToTask, task[..^":subscribe".Length]) : null;
                }

                return get ? (A2aMethods.GetTask, task) : null;
            case 3 when segments[0] == "tasks" && segments[2] == "pushNotificationConfigs":
                return post ? (A2aMethods.CreateTaskPushNotificationConfig, segments[1])
                    : get ? (A2aMethods.ListTaskPushNotificationConfigs, segments[1])
                    : null;
            case 4 when segments[0] == "tasks" && segments[2] == "pushNotificationConfigs":
                return get ? (A2aMethods.GetTaskPushNotificationConfig, segments[1])
                    : HttpMethods.IsDelete(httpMethod) ? (A2aMethods.DeleteTaskPushNotificationConfig, segments[1])
                    : null;
            default:
                return null;
        }
    }
}
