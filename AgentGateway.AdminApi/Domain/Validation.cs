using System.Text.RegularExpressions;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain;

/// <summary>Field checks shared by the APIs; each adds errors keyed by the request's camelCase field name.</summary>
internal static partial class Validation
{
    public const string StreamableHttpTransport = "streamable-http";

    public static Dictionary<string, string[]> Errors() => new(StringComparer.Ordinal);

    public static void Name(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (!Names.IsValid(value))
        {
            errors[field] = [$"'{value}' is not a valid name: it {Names.Rule}."];
        }
    }

    public static void Required(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = ["is required."];
        }
        else if (value.Length > maxLength)
        {
            errors[field] = [$"must be at most {maxLength} characters."];
        }
    }

    /// <summary>Adds <paramref name="message"/> to the errors of <paramref name="field"/>.</summary>
    public static void Add(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
    }

    public static void Description(Dictionary<string, string[]> errors, string? value, string field = "description")
    {
        if (value is { Length: > 1000 })
        {
            errors[field] = ["must be at most 1000 characters."];
        }
    }

    /// <summary>A list of the tenant's route names (for scoping keys and bindings): distinct, existing, at most <paramref name="max"/>.</summary>
    public static async Task RoutesAsync(
        Dictionary<string, string[]> errors, AdminDbContext db, Tenant tenant, List<string>? routes, int max, CancellationToken cancellationToken)
    {
        if (routes is null || routes.Count == 0)
        {
            return;
        }

        if (routes.Count > max || routes.Distinct(StringComparer.Ordinal).Count() != routes.Count)
        {
            errors["routes"] = [$"must name at most {max} routes, each once."];
            return;
        }

        var known = await db.Routes.Where(route => route.TenantId == tenant.Id && routes.Contains(route.Name))
            .Select(route => route.Name).ToListAsync(cancellationToken);
        var unknown = routes.Where(name => !known.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            errors["routes"] = [$"unknown route(s) in tenant '{tenant.Name}': {string.Join(", ", unknown.Select(name => $"'{name}'"))}."];
        }
    }

    public const string SseTransport = "sse";

    public const string StdioTransport = "stdio";

    public const string OpenApiTransport = "openapi";

    public static void Transport(Dictionary<string, string[]> errors, string? value)
    {
        if (value is not (StreamableHttpTransport or SseTransport or StdioTransport or OpenApiTransport))
        {
            errors["transport"] = [$"must be '{StreamableHttpTransport}', '{SseTransport}', '{OpenApiTransport}' (url: the OpenAPI 3 document) or '{StdioTransport}'."];
        }
    }

    public static void Stdio(Dictionary<string, string[]> errors, string? command, List<string>? args, Dictionary<string, string>? env, string? workingDirectory)
    {
        if (string.IsNullOrWhiteSpace(command) || command.Length > 1024 || command.Any(char.IsControl))
        {
            errors["command"] = ["is required for stdio servers: the program to run, at most 1024 characters."];
        }

        if (args is { Count: > 100 } || args?.Any(arg => arg is null || arg.Length > 4096 || arg.Contains('\0', StringComparison.Ordinal)) == true)
        {
            errors["args"] = ["must be at most 100 arguments of at most 4096 characters each."];
        }

        foreach (var (name, value) in env ?? [])
        {
            if (!EnvName().IsMatch(name) || value is null)
            {
                errors[$"env.{name}"] = ["must be a variable name of letters, digits and '_' with a value."];
            }
        }

        if (workingDirectory is { Length: > 1024 } || (workingDirectory is { Length: > 0 } && !Path.IsPathFullyQualified(workingDirectory)))
        {
            errors["workingDirectory"] = ["must be an absolute path of at most 1024 characters."];
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();

    public static void Url(Dictionary<string, string[]> errors, string? value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(url.Host) || value!.Length > 2048)
        {
            errors["url"] = ["must be an absolute http or https URL of at most 2048 characters."];
        }
    }

    public static void Headers(Dictionary<string, string[]> errors, Dictionary<string, string>? headers)
    {
        foreach (var (name, value) in headers ?? [])
        {
            if (!HeaderName().IsMatch(name))
            {
                errors[$"headers.{name}"] = ["is not a valid HTTP header name."];
            }
            else if (value is null || value.Any(character => character is '\r' or '\n' or '\0'))
            {
                errors[$"headers.{name}"] = ["must be a value without line breaks."];
            }
        }
    }

    public static PrefixModeSetting? PrefixMode(Dictionary<string, string[]> errors, string? value)
    {
        PrefixModeSetting? mode = value switch
        {
            null or "conditional" => PrefixModeSetting.Conditional,
            "always" => PrefixModeSetting.Always,
            "never" => PrefixModeSetting.Never,
            _ => null,
        };
        if (mode is null)
        {
            errors["prefixMode"] = ["must be 'conditional', 'always' or 'never'."];
        }

        return mode;
    }

    public static FailureModeSetting? FailureMode(Dictionary<string, string[]> errors, string? value)
    {
        FailureModeSetting? mode = value switch
        {
            null or "open" => FailureModeSetting.Open,
            "closed" => FailureModeSetting.Closed,
            _ => null,
        };
        if (mode is null)
        {
            errors["failureMode"] = ["must be 'open' or 'closed'."];
        }

        return mode;
    }

    public static ToolPinningSetting? ToolPinning(Dictionary<string, string[]> errors, string? value)
    {
        ToolPinningSetting? mode = value switch
        {
            null or "withhold" => ToolPinningSetting.Withhold,
            "flag" => ToolPinningSetting.Flag,
            "off" => ToolPinningSetting.Off,
            _ => null,
        };
        if (mode is null)
        {
            errors["toolPinning"] = ["must be 'withhold' (default: a new suspicious or a changed tool is hidden until a tenant admin approves it), 'flag' (listed, marked) or 'off'."];
        }

        return mode;
    }

    public static void TargetTimeout(Dictionary<string, string[]> errors, int? milliseconds)
    {
        if (milliseconds is < 1 or > 600_000)
        {
            errors["targetTimeoutMs"] = ["must be between 1 and 600000 milliseconds, or left out for the proxy's default."];
        }
    }

    /// <summary>
    /// A route's path or prefix, as clients type it: "/" or plain URL characters between single slashes (its tenant's
    /// namespace is checked apart).
    /// </summary>
    public static void RoutePath(Dictionary<string, string[]> errors, string field, string path)
    {
        if (path.Length > 0 && path != "/" && !errors.ContainsKey(field) && (!RoutePathPattern().IsMatch(path) || path.Length > 512))
        {
            errors[field] = ["may contain only letters, digits and - . _ ~ between single slashes, not end with '/' and be at most 512 characters."];
        }
    }

    public static string ToText(PrefixModeSetting mode) => mode.ToString().ToLowerInvariant();

    public static string ToText(FailureModeSetting mode) => mode.ToString().ToLowerInvariant();

    public static string ToText(ToolPinningSetting mode) => mode.ToString().ToLowerInvariant();

    public static string ToText(TenantRole role) => role.ToString().ToLowerInvariant();

    /// <summary>A tenant role by its name (<c>owner</c>, <c>admin</c>, <c>developer</c>, <c>viewer</c>), or null.</summary>
    public static TenantRole? ParseRole(string? value) => value switch
    {
        "owner" => TenantRole.Owner,
        "admin" => TenantRole.Admin,
        "developer" => TenantRole.Developer,
        "viewer" => TenantRole.Viewer,
        _ => null,
    };

    public static TenantRole? Role(Dictionary<string, string[]> errors, string? value)
    {
        var role = ParseRole(value);
        if (role is null)
        {
            errors["role"] = ["must be 'owner', 'admin', 'developer' or 'viewer'."];
        }

        return role;
    }

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderName();

    [GeneratedRegex("^(/[A-Za-z0-9._~-]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex RoutePathPattern();
}
