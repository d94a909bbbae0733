using System.Text.Json;
using System.Text.RegularExpressions;
using AgentGateway.Contracts;

namespace AgentGateway.AdminApi.Domain.Mcp;

/// <summary>
/// Reads an MCP server as the MCP registry describes it (<c>server.json</c>: name, description, remotes, packages)
/// into the server a tenant registers. A remote comes first (streamable HTTP, else the legacy SSE transport): its URL's
/// <c>{variables}</c> and its headers take the values given, else their defaults. Without one, a stdio package runs by
/// its ecosystem's runner (npm: <c>npx</c>, PyPI: <c>uvx</c>, OCI: <c>docker run</c>) with its arguments and
/// environment variables. Whatever the description requires and has no value for is an error naming it.
/// </summary>
internal static partial class RegistryServers
{
    /// <summary>The server to create, or null with the reasons in <paramref name="errors"/>.</summary>
    public static ImportedServer? Map(JsonElement server, ImportMcpServerRequest values, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(errors);
        if (server.ValueKind != JsonValueKind.Object)
        {
            errors["server"] = ["must be the server's description (an object with 'name' and 'remotes' or 'packages')."];
            return null;
        }

        var registryName = Text(server, "name");
        var name = values.Name ?? LocalName(registryName);
        var description = Text(server, "description") ?? Text(server, "title");
        description = description is { Length: > 1000 } ? description[..1000] : description;
        var remotes = Array(server, "remotes");
        if (remotes.FirstOrDefault(remote => Text(remote, "type") == Validation.StreamableHttpTransport) is { ValueKind: JsonValueKind.Object } http)
        {
            return Remote(http, Validation.StreamableHttpTransport, name, description, values, errors);
        }

        if (remotes.FirstOrDefault(remote => Text(remote, "type") == Validation.SseTransport) is { ValueKind: JsonValueKind.Object } sse)
        {
            return Remote(sse, Validation.SseTransport, name, description, values, errors);
        }

        if (Array(server, "packages").FirstOrDefault(package => Runner(package) is not null) is { ValueKind: JsonValueKind.Object } package)
        {
            return Package(package, name, description, values, errors);
        }

        errors["server"] = ["has no remote the gateway can reach (streamable-http or sse) and no stdio package it can run (npm, pypi, oci)."];
        return null;
    }

    /// <summary>A registry name's last segment as a route-safe name: <c>io.github.acme/Weather_API</c> is <c>weather-api</c>.</summary>
    public static string LocalName(string? registryName)
    {
        var last = registryName?[(registryName.LastIndexOf('/') + 1)..] ?? string.Empty;
        var name = NotNameCharacters().Replace(last.ToLowerInvariant(), "-").Trim('-');
        return name.Length > Names.MaxLength ? name[..Names.MaxLength].TrimEnd('-') : name;
    }

    private static ImportedServer? Remote(
        JsonElement remote, string transport, string name, string? description, ImportMcpServerRequest values, Dictionary<string, string[]> errors)
    {
        var url = Text(remote, "url") ?? string.Empty;
        var variables = remote.TryGetProperty("variables", out var declared) && declared.ValueKind == JsonValueKind.Object ? declared : default;
        url = Placeholder().Replace(url, match =>
        {
            var variable = match.Groups[1].Value;
            var fallback = variables.ValueKind == JsonValueKind.Object && variables.TryGetProperty(variable, out var input) ? Text(input, "default") : null;
            if ((values.Variables?.GetValueOrDefault(variable) ?? fallback) is { } value)
            {
                return Uri.EscapeDataString(value);
            }

            errors[$"variables.{variable}"] = [$"is required: the server's URL has '{{{variable}}}'."];
            return match.Value;
        });

        var headers = Inputs(Array(remote, "headers"), values.Headers, "headers", StringComparer.OrdinalIgnoreCase, errors);
        return new ImportedServer(name, description, transport, url, headers);
    }

    private static ImportedServer? Package(
        JsonElement package, string name, string? description, ImportMcpServerRequest values, Dictionary<string, string[]> errors)
    {
        var (command, prefix) = Runner(package)!.Value;
        var identifier = Text(package, "identifier") ?? string.Empty;
        var version = Text(package, "version");
        var env = Inputs(Array(package, "environmentVariables"), values.Env, "env", StringComparer.Ordinal, errors);

        var args = new List<string>(prefix);
        if (command == "docker")
        {
            args.AddRange(env.Keys.SelectMany(key => new[] { "-e", key }));
        }

        args.Add(Text(package, "registryType") switch
        {
            "npm" => version is null ? identifier : $"{identifier}@{version}",
            "pypi" => version is null ? identifier : $"{identifier}=={version}",
            _ => version is null || identifier.Contains(':', StringComparison.Ordinal) ? identifier : $"{identifier}:{version}",
        });
        var position = 0;
        foreach (var argument in Array(package, "packageArguments"))
        {
            position++;
            var value = Text(argument, "value") ?? Text(argument, "default");
            if (value is null)
            {
                if (Flag(argument, "isRequired"))
                {
                    errors[$"arguments.{Text(argument, "name") ?? position.ToString(System.Globalization.CultureInfo.InvariantCulture)}"] =
                        [$"is required by the server{Described(argument)} and has no value in its description."];
                }

                continue;
            }

            if (Text(argument, "type") == "named" && Text(argument, "name") is { Length: > 0 } flag)
            {
                args.Add(flag);
            }

            args.Add(value);
        }

        return new ImportedServer(name, description, Validation.StdioTransport, null, null, command, args, env);
    }

    /// <summary>
    /// The values of a description's named inputs (a remote's headers, a package's environment variables): the one given
    /// by that name, else the description's value or default; a required input with none is an error under
    /// <c>{field}.{name}</c>.
    /// </summary>
    private static Dictionary<string, string> Inputs(
        IEnumerable<JsonElement> inputs, Dictionary<string, string>? given, string field, StringComparer comparer, Dictionary<string, string[]> errors)
    {
        var values = new Dictionary<string, string>(comparer);
        foreach (var input in inputs)
        {
            if (Text(input, "name") is not { Length: > 0 } name)
            {
                continue;
            }

            if ((given?.GetValueOrDefault(name) ?? Text(input, "value") ?? Text(input, "default")) is { } value)
            {
                values[name] = value;
            }
            else if (Flag(input, "isRequired"))
            {
                errors[$"{field}.{name}"] = [$"is required by the server{Described(input)}."];
            }
        }

        return values;
    }

    /// <summary>The program that runs a stdio package, and its arguments before the package; null for others.</summary>
    private static (string Command, string[] Prefix)? Runner(JsonElement package)
    {
        if (package.TryGetProperty("transport", out var transport) && Text(transport, "type") is { } type && type != Validation.StdioTransport)
        {
            return null;
        }

        return Text(package, "registryType") switch
        {
            "npm" => ("npx", ["-y"]),
            "pypi" => ("uvx", []),
            "oci" => ("docker", ["run", "-i", "--rm"]),
            _ => null,
        };
    }

    private static string Described(JsonElement input) => Text(input, "description") is { Length: > 0 } description ? $" ({description})" : string.Empty;

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Flag(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;

    private static IEnumerable<JsonElement> Array(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.Object)
            : [];

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotNameCharacters();

    [GeneratedRegex(@"\{([A-Za-z0-9_.-]+)\}")]
    private static partial Regex Placeholder();
}
