using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.ConformanceServer.Mcp.Versioning;

/// <summary>
/// Answers a sessionless POST that names an unknown <c>MCP-Protocol-Version</c> with an
/// <c>UnsupportedProtocolVersion</c> error (-32022) listing the revisions <c>server/discover</c> lists.
/// </summary>
/// <remarks>
/// Such a request comes from a client negotiating a stateless revision (SEP-2575), which picks its retry version
/// from this list, so the list has to agree with <c>server/discover</c>. In its hybrid session mode the SDK lists
/// every revision it knows instead, including those only reachable through <c>initialize</c>. Requests that carry
/// a session, or a known version, go to the SDK untouched.
/// </remarks>
internal sealed partial class UnsupportedVersionMiddleware(RequestDelegate next, ILogger<UnsupportedVersionMiddleware> logger)
{
    private const string ProtocolVersionHeader = "MCP-Protocol-Version";
    private const string SessionIdHeader = "Mcp-Session-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var version = context.Request.Headers[ProtocolVersionHeader].ToString();
        if (!HttpMethods.IsPost(context.Request.Method)
            || version.Length == 0
            || ProtocolVersions.IsSupported(version)
            || context.Request.Headers.ContainsKey(SessionIdHeader))
        {
            await next(context);
            return;
        }

        LogUnsupportedVersion(logger, version);
        var error = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = await ReadRequestIdAsync(context.Request, context.RequestAborted),
            ["error"] = new JsonObject
            {
                ["code"] = -32022,
                ["message"] = $"Bad Request: The MCP-Protocol-Version header value '{version}' is not supported.",
                ["data"] = new JsonObject
                {
                    ["supported"] = new JsonArray([.. ProtocolVersions.PerRequestMetadata.Select(v => (JsonNode?)JsonValue.Create(v))]),
                    ["requested"] = version,
                },
            },
        };

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted);
    }

    private static async Task<JsonNode?> ReadRequestIdAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return body is JsonObject message && message["id"] is JsonValue id ? id.DeepClone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a sessionless request for protocol version '{Version}'.")]
    private static partial void LogUnsupportedVersion(ILogger logger, string version);
}
