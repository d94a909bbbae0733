using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Snapshots;
using Google.Protobuf;

namespace AgentGateway.Proxy.Config.File;

/// <summary>
/// Reads the standalone config file into the xDS resource types, so the file and the control plane feed the same
/// snapshot. YAML is a superset of JSON, so JSON files parse too. Policies are written as the resource messages'
/// JSON (see <see cref="ProtoJson"/>); their secrets may come from the proxy's environment or files, read here.
/// </summary>
internal static partial class GatewayFileParser
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new LenientStringConverter() },
    };

    /// <summary>Parses <paramref name="text"/>; throws <see cref="GatewayFileException"/> naming the line or field at fault.</summary>
    public static GatewayFileContent Parse(string text)
    {
        JsonNode? json;
        try
        {
            json = YamlJson.Parse(text);
        }
        catch (FormatException exception)
        {
            throw new GatewayFileException(exception.Message, exception);
        }

        GatewayFileDocument? document;
        try
        {
            document = json is null ? null : json.Deserialize<GatewayFileDocument>(s_options);
        }
        catch (JsonException exception)
        {
            throw new GatewayFileException(Describe(exception), exception);
        }
        catch (InvalidOperationException exception)
        {
            throw new GatewayFileException($"the file must be a mapping of routes, sessionKeys, egress and hostGrants: {exception.Message}", exception);
        }

        document ??= new GatewayFileDocument();
        var errors = new List<ConfigError>();
        var routes = new List<Route>(document.Routes.Count);
        var rejected = new List<RejectedRoute>();
        for (var index = 0; index < document.Routes.Count; index++)
        {
            // A route that cannot be read is refused alone; the file's other routes still apply.
            var entry = document.Routes[index];
            var field = $"routes[{index}]";
            var routeErrors = new List<ConfigError>();
            try
            {
                var route = ToRoute(entry, field, routeErrors);
                if (routeErrors.Count == 0)
                {
                    routes.Add(route);
                    continue;
                }
            }
            catch (GatewayFileException exception)
            {
                routeErrors.Add(new ConfigError(string.Empty, exception.Message));
            }

            var name = Names.IsValid(entry.Tenant) && Names.IsValid(entry.Name) ? $"{entry.Tenant}/{entry.Name}" : field;
            rejected.Add(new RejectedRoute(name, [.. routeErrors.Select(error => error.ToString())]));
        }

        var grants = new List<HostGrant>(document.HostGrants.Count);
        foreach (var grant in document.HostGrants)
        {
            grants.Add(new HostGrant { Host = grant.Host ?? string.Empty, Tenant = grant.Tenant ?? string.Empty });
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

            keys.Add(new SessionKey { Id = key.Id ?? string.Empty, Key = ByteString.CopyFrom(material), Primary = key.Primary });
        }

        var egress = document.Egress is { } egressJson ? ProtoJson.Parse<EgressPolicy>(egressJson, "egress", errors) : null;
        if (errors.Count > 0)
        {
            throw new GatewayFileException(string.Join("; ", errors));
        }

        return new GatewayFileContent(routes, keys, egress, grants, rejected);
    }

    private static Route ToRoute(RouteDocument document, string field, List<ConfigError> errors)
    {
        var route = new Route
        {
            Tenant = document.Tenant ?? string.Empty,
            Name = document.Name ?? string.Empty,
            Match = document.Match is { } match ? ProtoJson.Parse<RouteMatch>(match, $"{field}.match", errors) : new RouteMatch(),
            TenantLlmBudgetExhaustedUntil = document.TenantLlmBudgetExhaustedUntil is { } spent ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(spent) : null,
        };
        if (document.Path is { } path)
        {
            if (document.Match is not null)
            {
                throw new GatewayFileException($"{field} takes path or match, not both");
            }

            route.Match.Path = path;
        }

        if (document.Policies is { } policies)
        {
            route.Policies = ReadPolicy<RoutePolicies>(policies, $"{field}.policies", errors, PolicyValidator.Validate);
            HashApiKeys(route.Policies);
        }

        var backends = (document.Mcp is null ? 0 : 1) + (document.Http is null ? 0 : 1) + (document.A2a is null ? 0 : 1) + (document.Llm is null ? 0 : 1);
        if (backends != 1)
        {
            throw new GatewayFileException($"{field} needs exactly one backend: mcp, http, a2a or llm");
        }

        if (document.Llm is { } llm)
        {
            route.Llm = ReadPolicy<LlmBackend>(llm, $"{field}.llm", errors, static (backend, path, sources, problems) =>
            {
                RouteValidator.Validate(backend, path, problems);
                for (var index = 0; index < backend.Providers.Count; index++)
                {
                    PolicyValidator.Validate(backend.Providers[index].Auth, $"{path}.providers[{index}].auth", sources, problems);
                    PolicyValidator.Validate(backend.Providers[index].Tls, $"{path}.providers[{index}].tls", sources, problems);
                }
            });
            return route;
        }

        if (document.Http is { } http)
        {
            route.Http = ReadPolicy<HttpBackend>(http, $"{field}.http", errors, static (backend, path, sources, problems) =>
            {
                RouteValidator.Validate(backend, path, problems);
                PolicyValidator.Validate(backend.Auth, $"{path}.auth", sources, problems);
                PolicyValidator.Validate(backend.Tls, $"{path}.tls", sources, problems);
            });
            return route;
        }

        if (document.A2a is { } a2a)
        {
            route.A2A = ReadPolicy<A2aBackend>(a2a, $"{field}.a2a", errors, static (backend, path, sources, problems) =>
            {
                RouteValidator.Validate(backend, path, problems);
                PolicyValidator.Validate(backend.Auth, $"{path}.auth", sources, problems);
                PolicyValidator.Validate(backend.Tls, $"{path}.tls", sources, problems);
            });
            return route;
        }

        var mcp = document.Mcp!;

        route.Mcp = new McpBackend
        {
            PrefixMode = ParsePrefixMode(mcp.PrefixMode, $"{field}.mcp.prefixMode"),
            FailureMode = mcp.FailureMode?.Trim().ToLowerInvariant() switch
            {
                null or "" or "open" => FailureMode.FailOpen,
                "closed" => FailureMode.FailClosed,
                _ => throw new GatewayFileException($"{field}.mcp.failureMode must be 'open' or 'closed', not '{mcp.FailureMode}'"),
            },
            TargetTimeoutMs = mcp.TargetTimeoutMs ?? 0,
        };
        if (mcp.ToolPinning is { } pinning)
        {
            route.Mcp.ToolPinning = ProtoJson.Parse<ToolPinning>(pinning, $"{field}.mcp.toolPinning", errors);
        }

        for (var index = 0; index < mcp.Targets.Count; index++)
        {
            route.Mcp.Targets.Add(ToTarget(mcp.Targets[index], $"{field}.mcp.targets[{index}]", errors));
        }

        return route;
    }

    private static McpTarget ToTarget(McpTargetDocument target, string field, List<ConfigError> errors)
    {
        var parsed = new McpTarget { Name = target.Name ?? string.Empty };
        var transports = (target.StreamableHttp is null ? 0 : 1) + (target.Sse is null ? 0 : 1) + (target.Stdio is null ? 0 : 1) + (target.Openapi is null ? 0 : 1);
        if (transports != 1)
        {
            throw new GatewayFileException($"{field} needs exactly one of streamableHttp, sse, stdio or openapi");
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

        if (target.Auth is { } auth)
        {
            parsed.Auth = ReadPolicy<BackendAuth>(auth, $"{field}.auth", errors, PolicyValidator.Validate);
        }

        if (target.Tls is { } tls)
        {
            parsed.Tls = ReadPolicy<BackendTls>(tls, $"{field}.tls", errors, PolicyValidator.Validate);
        }

        return parsed;
    }

    /// <summary>Reads a policy message, checks it as a file may write it, and resolves its secrets from the environment and files.</summary>
    private static T ReadPolicy<T>(JsonElement json, string field, List<ConfigError> errors, Action<T, string, SecretSources, List<ConfigError>> validate)
        where T : IMessage<T>, new()
    {
        var before = errors.Count;
        var message = ProtoJson.Parse<T>(json, field, errors);
        if (errors.Count == before)
        {
            validate(message, field, SecretSources.StandaloneFile, errors);
        }

        if (errors.Count == before)
        {
            ResolveSecrets(message, field, errors);
        }

        return message;
    }

    private static void ResolveSecrets(IMessage message, string field, List<ConfigError> errors)
    {
        foreach (var (path, secret) in PolicyValidator.Secrets(message, field))
        {
            switch (secret.SourceCase)
            {
                case SecretValue.SourceOneofCase.Env:
                    if (Environment.GetEnvironmentVariable(secret.Env) is { } value)
                    {
                        secret.Inline = value;
                    }
                    else
                    {
                        errors.Add(new ConfigError($"{path}.env", $"names the environment variable '{secret.Env}', which is not set"));
                    }

                    break;
                case SecretValue.SourceOneofCase.File:
                    try
                    {
                        secret.Inline = System.IO.File.ReadAllText(secret.File).TrimEnd('\r', '\n');
                    }
                    catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                    {
                        errors.Add(new ConfigError($"{path}.file", $"cannot be read: {exception.Message}"));
                    }

                    break;
            }
        }
    }

    /// <summary>API keys written as themselves are kept only as their hash.</summary>
    private static void HashApiKeys(RoutePolicies policies)
    {
        foreach (var key in policies.ApiKeyAuth?.Keys ?? [])
        {
            if (key.Key is { SourceCase: SecretValue.SourceOneofCase.Inline } plain)
            {
                key.Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plain.Inline)));
                key.Key = null;
            }
        }
    }

    private static PrefixMode ParsePrefixMode(string? value, string field) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "conditional" => PrefixMode.Conditional,
        "always" => PrefixMode.Always,
        "never" => PrefixMode.Never,
        _ => throw new GatewayFileException($"{field} must be 'conditional', 'always' or 'never', not '{value}'"),
    };

    /// <summary>A deserialization error as the field at fault and what is wrong with it.</summary>
    private static string Describe(JsonException exception)
    {
        var path = (exception.Path ?? "$").TrimStart('$').TrimStart('.');
        if (UnmappedProperty().Match(exception.Message) is { Success: true } unmapped)
        {
            var name = unmapped.Groups["name"].Value;
            return $"{(path.Length == 0 ? name : $"{path}.{name}")} is not a known field";
        }

        var expected = ConvertedTo().Match(exception.Message) is { Success: true } converted
            ? converted.Groups["type"].Value switch
            {
                "System.String" => "a string",
                "System.Boolean" => "true or false",
                "System.UInt32" or "System.Int32" or "System.Nullable`1[System.UInt32]" => "a whole number",
                var type when type.Contains("List", StringComparison.Ordinal) => "a list",
                var type when type.Contains("Dictionary", StringComparison.Ordinal) => "a mapping of names and values",
                _ => "a mapping",
            }
            : null;
        return expected is null ? $"{path}: {exception.Message}" : $"{path} must be {expected}";
    }

    [GeneratedRegex(@"property '(?<name>[^']+)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"could not be converted to (?<type>[^.\s]+(\.[^.\s]+)*)\.", RegexOptions.CultureInvariant)]
    private static partial Regex ConvertedTo();
}
