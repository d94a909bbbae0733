using System.Text;
using AgentGateway.Proxy.Kinds.A2a;

namespace AgentGateway.Tests.Proxy.Kinds.A2a;

/// <summary>How the gateway names A2A operations, maps agent URLs to its own, and reads task states.</summary>
public sealed class A2aOperationTests
{
    [Theory]
    [InlineData("POST", "/v1/message:send", "SendMessage", "0.3", null)]
    [InlineData("POST", "/rest/v1/message:stream", "SendStreamingMessage", "0.3", null)]
    [InlineData("GET", "/rest/v1/tasks/t1", "GetTask", "0.3", "t1")]
    [InlineData("GET", "/v1/card", "GetExtendedAgentCard", "0.3", null)]
    [InlineData("POST", "/message:send", "SendMessage", "1.0", null)]
    [InlineData("POST", "/rest/acme/message:send", "SendMessage", "1.0", null)]
    [InlineData("POST", "/tasks/t1:cancel", "CancelTask", "1.0", "t1")]
    [InlineData("GET", "/tasks/t1:subscribe", "SubscribeToTask", "1.0", "t1")]
    [InlineData("GET", "/tasks", "ListTasks", "1.0", null)]
    [InlineData("POST", "/tasks/t1/pushNotificationConfigs", "CreateTaskPushNotificationConfig", "1.0", "t1")]
    [InlineData("GET", "/tasks/t1/pushNotificationConfigs", "ListTaskPushNotificationConfigs", "1.0", "t1")]
    [InlineData("DELETE", "/tasks/t1/pushNotificationConfigs/c1", "DeleteTaskPushNotificationConfig", "1.0", "t1")]
    [InlineData("GET", "/extendedAgentCard", "GetExtendedAgentCard", "1.0", null)]
    public void RestPaths_NameTheOperation(string method, string path, string expected, string version, string? taskId)
    {
        Assert.Equal((expected, version, taskId), A2aRestPaths.Classify(method, path));
    }

    [Theory]
    [InlineData("POST", "")]
    [InlineData("POST", "/jsonrpc")]
    [InlineData("GET", "/message:send")]
    [InlineData("POST", "/tasks/t1")]
    [InlineData("GET", "/card")]
    public void OtherPaths_AreNoRestOperation(string method, string path)
    {
        Assert.Null(A2aRestPaths.Classify(method, path));
    }

    [Theory]
    [InlineData("message/send", "SendMessage", "0.3")]
    [InlineData("tasks/resubscribe", "SubscribeToTask", "0.3")]
    [InlineData("tasks/pushNotificationConfig/set", "CreateTaskPushNotificationConfig", "0.3")]
    [InlineData("agent/getAuthenticatedExtendedCard", "GetExtendedAgentCard", "0.3")]
    [InlineData("SendStreamingMessage", "SendStreamingMessage", "1.0")]
    [InlineData("custom/method", "custom/method", "")]
    public void JsonRpcMethods_AreNormalizedToTheV10Names(string method, string expected, string version)
    {
        Assert.Equal((expected, version), A2aMethods.Normalize(method));
    }

    [Theory]
    [InlineData("http://agent:9000/a2a/jsonrpc", "https://gw/acme/a/jsonrpc")]
    [InlineData("http://agent:9000/a2a", "https://gw/acme/a")]
    [InlineData("http://agent:9000/a2a/", "https://gw/acme/a")]
    [InlineData("http://AGENT:9000/a2a/rest?x=1", "https://gw/acme/a/rest?x=1")]
    [InlineData("http://agent:9000/a2abc", null)]
    [InlineData("http://agent:9000/other", null)]
    [InlineData("http://agent:9001/a2a", null)]
    [InlineData("https://agent:9000/a2a", null)]
    [InlineData("agent:9000", null)]
    public void AgentUrls_MapBelowTheRoute_OnlyFromBelowTheAgentsBaseUrl(string url, string? expected)
    {
        Assert.Equal(expected, A2aCardRewriter.Map(url, new Uri("http://agent:9000/a2a"), "https://gw/acme/a"));
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"kind":"task","status":{"state":"completed"}}}""", "jsonrpc", "completed")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"task":{"status":{"state":"TASK_STATE_WORKING"}}}}""", "jsonrpc", "TASK_STATE_WORKING")]
    [InlineData("""{"task":{"status":{"state":"TASK_STATE_FAILED"}}}""", "rest", "TASK_STATE_FAILED")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"error":{"code":-32001}}""", "jsonrpc", null)]
    [InlineData("not json", "rest", null)]
    public void TaskState_IsReadFromTheAnswer(string body, string binding, string? state)
    {
        Assert.Equal(state, A2aTransformer.ReadTaskState(Encoding.UTF8.GetBytes(body), binding));
    }
}
