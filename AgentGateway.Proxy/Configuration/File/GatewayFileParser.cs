using AgentGateway.Contracts.V1;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AgentGateway.Proxy.Configuration.File;

/// <summary>
/// Reads the standalone config file into the xDS resource types, so the file and the control plane feed the same
/// snapshot. YAML is a superset of JSON, so JSON files parse too.
/// </summary>
internal static class GatewayFileParser
{
    private static readonly IDeserializer s_deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>Parses <paramref name="text"/>; throws <see cref="GatewayFileException"/> naming the line or field at fault.</summary>
    public static (IReadOnlyList<Route> Routes, IReadOnlyList<SessionKey> SessionKeys) Parse(string text)
    {
        GatewayFileDocument? document;
        try
        {
            document = s_deserializer.Deserialize<GatewayFileDocument?>(text);
        }
        catch (YamlException exception)
        {
            var reason = exception.InnerException?.Message ?? exception.Message;
            throw new GatewayFileException($"line {exception.Start.Line}, column {exception.Start.Column}: {reason}", exception);
        }

        document ??= new GatewayFileDocument();
        var routes = new List<Route>(document.Routes.Count);
        for (var index = 0; index < document.Routes.Count; index++)
        {
            routes.Add(ToRoute(document.Routes[index], $"routes[{index}]"));
        }

        var keys = new List<SessionKey>(document.SessionKeys.Count);
        for (var index = 0; index < document.SessionKeys.Count; index++)
        {
            var key = document.SessionKeys[index];
            byte[] material;
            try
            {
                material = Convert.FromBase64String(key.Key ?? string.Empty);
            }
            catch (FormatException)
            {
                throw new GatewayFileException($"sessionKeys[{index}].key must be base64 (32 random bytes, e.g. from 'openssl rand -base64 32')");
            }

            keys.Add(new SessionKey { Id = key.Id ?? string.Empty, Key = Google.Protobuf.ByteString.CopyFrom(material), Primary = key.Primary });
        }

        return (routes, keys);
    }

    private static Route ToRoute(RouteDocument document, string field)
    {
        var route = new Route
        {
            Tenant = document.Tenant ?? string.Empty,
            Name = document.Name ?? string.Empty,
            Match = new RouteMatch { Path = document.Path ?? string.Empty },
        };

        if (document.Mcp is null)
        {
            throw new GatewayFileException($"{field}.mcp is required");
        }

        route.Mcp = new McpBackend
        {
            PrefixMode = ParsePrefixMode(document.Mcp.PrefixMode, $"{field}.mcp.prefixMode"),
            FailureMode = document.Mcp.FailureMode?.Trim().ToLowerInvariant() switch
            {
                null or "" or "open" => FailureMode.FailOpen,
                "closed" => FailureMode.FailClosed,
                _ => throw new GatewayFileException($"{field}.mcp.failureMode must be 'open' or 'closed', not '{document.Mcp.FailureMode}'"),
            },
            TargetTimeoutMs = document.Mcp.TargetTimeoutMs ?? 0,
        };
        for (var index = 0; index < document.Mcp.Targets.Count; index++)
        {
            var target = document.Mcp.Targets[index];
            var targetField = $"{field}.mcp.targets[{index}]";
            var parsed = new McpTarget { Name = target.Name ?? string.Empty };
            var transports = (target.StreamableHttp is null ? 0 : 1) + (target.Sse is null ? 0 : 1) + (target.Stdio is null ? 0 : 1) + (target.Openapi is null ? 0 : 1);
            if (transports != 1)
            {
                throw new GatewayFileException($"{targetField} needs exactly one of streamableHttp, sse, stdio or openapi");
            }

            if (target.StreamableHttp is { } streamable)
            {
                parsed.StreamableHttp = new StreamableHttpTransport { Url = streamable.Url ?? string.Empty };
                parsed.StreamableHttp.Headers.Add(streamable.Headers);
            }
            else if (target.Sse is { } sse)
            {
                parsed.Sse = new SseTransport { Url = sse.Url ?? string.Empty };
                parsed.Sse.Headers.Add(sse.Headers);
            }
            else if (target.Openapi is { } openApi)
            {
                parsed.Openapi = new OpenApiTransport { SpecUrl = openApi.SpecUrl ?? string.Empty, BaseUrl = openApi.BaseUrl ?? string.Empty };
                parsed.Openapi.Headers.Add(openApi.Headers);
            }
            else
            {
                var stdio = target.Stdio!;
                parsed.Stdio = new StdioTransport { Command = stdio.Command ?? string.Empty, WorkingDirectory = stdio.WorkingDirectory ?? string.Empty };
                parsed.Stdio.Args.Add(stdio.Args);
                parsed.Stdio.Env.Add(stdio.Env);
            }

            route.Mcp.Targets.Add(parsed);
        }

        return route;
    }

    private static PrefixMode ParsePrefixMode(string? value, string field) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "conditional" => PrefixMode.Conditional,
        "always" => PrefixMode.Always,
        "never" => PrefixMode.Never,
        _ => throw new GatewayFileException($"{field} must be 'conditional', 'always' or 'never', not '{value}'"),
    };
}
