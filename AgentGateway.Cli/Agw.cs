using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentGateway.Cli;

/// <summary>What one run of a command has: its arguments and options, AdminApi, where it writes, the environment.</summary>
internal sealed record Invocation(
    IReadOnlyList<string> Arguments, CommandLine Line, AdminApiConnection Api, TextWriter Output, TextWriter Error, TextReader Input,
    Func<string, string?> Environment, CancellationToken CancellationToken)
{
    public string Tenant => Arguments[0];

    public string TenantPath => $"/api/v1/tenants/{Uri.EscapeDataString(Tenant)}";
}

/// <summary>A command: its words, its arguments, the options it takes, what it does with AdminApi (null: it signs in or out).</summary>
internal sealed record AgwCommand(string[] Path, string[] Arguments, string[] Options, string Summary, Func<Invocation, Task<int>>? RunAsync)
{
    public string Usage => $"agw {string.Join(' ', Path)}{string.Concat(Arguments.Select(argument => $" <{argument}>"))}{string.Concat(Options.Select(option => CommandLine.Flags.Contains(option) ? $" [--{option}]" : $" [--{option} <{option}>]"))}";
}

/// <summary>
/// agw, AgentGateway's command line: a tenant's config as code (export, diff, apply, its schema) and common admin
/// tasks, against AdminApi's REST API at <c>--url</c> (or <c>AGW_URL</c>) with the bearer token of <c>--token</c> (or
/// <c>AGW_TOKEN</c>, or the one <c>agw login</c> keeps). Exit codes: 0 done, 1 refused or failed (the reasons on
/// standard error), 2 a usage error.
/// </summary>
internal static partial class Agw
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private static readonly AgwCommand[] s_commands =
    [
        new(["login"], [], ["authority", "client-id", "no-browser"], "Sign in with the platform's issuer in your browser and keep the token for later commands", null),
        new(["logout"], [], [], "Forget the token agw login kept", null),
        new(["config", "export"], ["tenant"], ["output", "json"], "Write the tenant's config as YAML (or --json) to standard output or --output", ExportAsync),
        new(["config", "diff"], ["tenant"], ["file", "prune", "expand-env"], "Say what applying --file would change, field by field, without changing anything", DiffAsync),
        new(["config", "apply"], ["tenant"], ["file", "prune", "dry-run", "expand-env"], "Apply --file at once (nothing is written when any item is wrong)", ApplyAsync),
        new(["config", "schema"], [], ["output"], "Write the JSON Schema of config documents", SchemaAsync),
        new(["tenants", "list"], [], [], "The tenants you can see", TenantsAsync),
        new(["routes", "list"], ["tenant"], [], "The tenant's routes and where they are served", RoutesAsync),
        new(["secrets", "set"], ["tenant", "name"], ["value", "from-env", "description"], "Create or replace a secret (its value from --value, --from-env or standard input)", SetSecretAsync),
        new(["api-keys", "create"], ["tenant", "name"], ["route", "description"], "Create an API key for --route (repeatable) and print it once", CreateApiKeyAsync),
    ];

    public static string Help
    {
        get
        {
            var help = new StringBuilder("agw: AgentGateway's command line.\n\nUsage:\n");
            foreach (var command in s_commands)
            {
                help.Append(CultureInfo.InvariantCulture, $"  {command.Usage}\n      {command.Summary}\n");
            }

            help.Append("\nEvery command takes --url <AdminApi URL> (or AGW_URL) and --token <bearer token> (or AGW_TOKEN); after agw login, neither.\n");
            help.Append("--expand-env replaces ${NAME} in the file with the environment variable NAME (for secrets' values).\n");
            return help.ToString();
        }
    }

    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken,
        TextReader? input = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(environment);
        CommandLine line;
        AgwCommand command;
        List<string> arguments;
        try
        {
            line = CommandLine.Parse(args);
            if (line.Words.Count == 0 || line.Has("help") && line.Words.Count < 2)
            {
                await (line.Has("help") ? output : error).WriteAsync(Help);
                return line.Has("help") ? Done : Usage;
            }

            command = s_commands.FirstOrDefault(candidate => line.Words.Take(candidate.Path.Length).SequenceEqual(candidate.Path))
                ?? throw new UsageException($"agw: unknown command '{string.Join(' ', line.Words)}'.");
            if (line.Has("help"))
            {
                await output.WriteLineAsync($"{command.Usage}\n    {command.Summary}");
                return Done;
            }

            arguments = [.. line.Words.Skip(command.Path.Length)];
            if (arguments.Count != command.Arguments.Length)
            {
                throw new UsageException($"agw: usage: {command.Usage}");
            }

            if (line.OptionNames.FirstOrDefault(name => name is not ("url" or "token") && !command.Options.Contains(name)) is { } unknown)
            {
                throw new UsageException($"agw: {string.Join(' ', command.Path)} takes no --{unknown}; usage: {command.Usage}");
            }
        }
        catch (UsageException exception)
        {
            await error.WriteLineAsync(exception.Message);
            return Usage;
        }

        if (command.Path is ["logout"])
        {
            await error.WriteLineAsync(SignIn.Logout(environment) ? "Signed out: the kept token is gone." : "agw: no one was signed in.");
            return Done;
        }

        var stored = await SignIn.ReadAsync(environment, cancellationToken);
        var url = line.Get("url") ?? environment("AGW_URL") ?? stored?.Url.ToString();
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync("agw: AdminApi's URL is needed: --url https://admin.example.com or AGW_URL (an absolute http(s) URL).");
            return Usage;
        }

        if (command.RunAsync is null)
        {
            return await LoginAsync(line, address, error, environment, handler, cancellationToken);
        }

        var token = line.Get("token") ?? environment("AGW_TOKEN");
        if (string.IsNullOrEmpty(token) && stored is not null && stored.Url.AbsoluteUri.TrimEnd('/') == address.AbsoluteUri.TrimEnd('/'))
        {
            try
            {
                token = (await SignIn.CurrentAsync(stored, environment, handler, TimeProvider.System, cancellationToken))?.AccessToken;
            }
            catch (HttpRequestException)
            {
                token = null;
            }

            if (token is null)
            {
                await error.WriteLineAsync("agw: the kept sign-in has expired: agw login again.");
                return Failed;
            }
        }

        if (string.IsNullOrEmpty(token))
        {
            await error.WriteLineAsync("agw: a bearer token of the platform's identity provider is needed: agw login, --token or AGW_TOKEN.");
            return Usage;
        }

        using var api = new AdminApiConnection(address, token, handler);
        try
        {
            return await command.RunAsync!(new Invocation(arguments, line, api, output, error, input ?? TextReader.Null, environment, cancellationToken));
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync($"agw: AdminApi at {address} could not be reached: {exception.Message}");
            return Failed;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"agw: {exception.Message}");
            return Failed;
        }
    }

    private static async Task<int> LoginAsync(
        CommandLine line, Uri url, TextWriter error, Func<string, string?> environment, HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        Uri? authority = null;
        if (line.Get("authority") is { } given && (!Uri.TryCreate(given, UriKind.Absolute, out authority) || authority.Scheme is not ("http" or "https")))
        {
            await error.WriteLineAsync("agw: --authority must be the issuer's absolute http(s) URL.");
            return Usage;
        }

        try
        {
            var (credentials, problem) = await SignIn.LoginAsync(url, authority, line.Get("client-id"), !line.Has("no-browser"), error, environment, handler, cancellationToken);
            await error.WriteLineAsync(credentials is null ? $"agw: not signed in: {problem}" : $"Signed in for {url} until {credentials.ExpiresAt:u} (refreshed when it expires).");
            return credentials is null ? Failed : Done;
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException)
        {
            await error.WriteLineAsync($"agw: not signed in: the issuer could not be asked: {exception.Message}");
            return Failed;
        }
    }

    private static async Task<int> ExportAsync(Invocation run)
    {
        var json = run.Line.Has("json");
        var answer = await run.Api.GetAsync($"{run.TenantPath}/config?format={(json ? "json" : "yaml")}", run.CancellationToken);
        return answer.Succeeded ? await WriteAsync(run, answer.Body) : await RefusedAsync(run, answer);
    }

    private static async Task<int> SchemaAsync(Invocation run)
    {
        var answer = await run.Api.GetAsync("/api/v1/config-schema", run.CancellationToken);
        return answer.Succeeded ? await WriteAsync(run, answer.Body) : await RefusedAsync(run, answer);
    }

    private static Task<int> DiffAsync(Invocation run) => PutConfigAsync(run, dryRun: true);

    private static Task<int> ApplyAsync(Invocation run) => PutConfigAsync(run, run.Line.Has("dry-run"));

    private static async Task<int> PutConfigAsync(Invocation run, bool dryRun)
    {
        if (run.Line.Get("file") is not { } file)
        {
            await run.Error.WriteLineAsync("agw: --file <config.yaml> is needed ('-' reads standard input).");
            return Usage;
        }

        var text = file == "-" ? await run.Input.ReadToEndAsync(run.CancellationToken) : await File.ReadAllTextAsync(file, run.CancellationToken);
        if (run.Line.Has("expand-env"))
        {
            // A placeholder is a whole value (key: ${NAME}, or - ${NAME}), replaced by a quoted string: whatever the value
            // holds (#, ': ', quotes, newlines, a number's digits) it stays that one string.
            var missing = new SortedSet<string>(StringComparer.Ordinal);
            text = Placeholder().Replace(text, match => run.Environment(match.Groups[2].Value) is { } value
                ? match.Groups[1].Value + System.Text.Json.JsonSerializer.Serialize(value)
                : Missing(missing, match));
            if (missing.Count > 0)
            {
                await run.Error.WriteLineAsync($"agw: the file names environment variables that are not set: {string.Join(", ", missing)}.");
                return Failed;
            }

            if (Variable().Match(text) is { Success: true } inside)
            {
                await run.Error.WriteLineAsync($"agw: {inside.Value} must be a whole value (key: {inside.Value}) to be replaced.");
                return Failed;
            }
        }

        var query = $"dryRun={(dryRun ? "true" : "false")}&prune={(run.Line.Has("prune") ? "true" : "false")}";
        var answer = await run.Api.SendTextAsync(HttpMethod.Put, $"{run.TenantPath}/config?{query}", text, "application/yaml", run.CancellationToken);
        if (!answer.Succeeded)
        {
            return await RefusedAsync(run, answer);
        }

        var result = answer.Json!;
        var changes = result["changes"]!.AsArray();
        foreach (var change in changes)
        {
            var (action, name) = ((string)change!["action"]!, $"{change["section"]}/{change["name"]}");
            await run.Output.WriteLineAsync(action switch
            {
                "create" => $"+ {name}",
                "delete" => $"- {name}",
                _ => $"~ {name}",
            });
            foreach (var field in change["fields"]!.AsArray())
            {
                await run.Output.WriteLineAsync($"    {field!["path"]}: {Shown(field["before"])} -> {Shown(field["after"])}");
            }
        }

        var summary = changes.Count == 0
            ? "No changes: the tenant already has this config."
            : (bool)result["applied"]!
                ? $"{changes.Count} change(s) applied (config revision {result["revision"]})."
                : $"{changes.Count} change(s) to apply; nothing was written.";
        await run.Output.WriteLineAsync(summary);
        return Done;
    }

    private static async Task<int> TenantsAsync(Invocation run)
    {
        var answer = await run.Api.GetAsync("/api/v1/tenants", run.CancellationToken);
        if (!answer.Succeeded)
        {
            return await RefusedAsync(run, answer);
        }

        foreach (var tenant in answer.Json!.AsArray())
        {
            await run.Output.WriteLineAsync($"{tenant!["name"],-24} {tenant["displayName"]}");
        }

        return Done;
    }

    private static async Task<int> RoutesAsync(Invocation run)
    {
        var answer = await run.Api.GetAsync($"{run.TenantPath}/routes", run.CancellationToken);
        if (!answer.Succeeded)
        {
            return await RefusedAsync(run, answer);
        }

        foreach (var route in answer.Json!.AsArray())
        {
            await run.Output.WriteLineAsync($"{route!["name"],-24} {route["kind"],-6} {route["endpoint"] ?? route["path"]}");
        }

        return Done;
    }

    private static async Task<int> SetSecretAsync(Invocation run)
    {
        var name = run.Arguments[1];
        var value = run.Line.Get("value");
        if (run.Line.Get("from-env") is { } variable)
        {
            value = run.Environment(variable);
            if (value is null)
            {
                await run.Error.WriteLineAsync($"agw: the environment variable {variable} is not set.");
                return Failed;
            }
        }

        value ??= (await run.Input.ReadToEndAsync(run.CancellationToken)).TrimEnd('\r', '\n');
        var answer = await run.Api.SendJsonAsync(HttpMethod.Put, $"{run.TenantPath}/secrets/{Uri.EscapeDataString(name)}",
            new { value, description = run.Line.Get("description") }, run.CancellationToken);
        if (!answer.Succeeded)
        {
            return await RefusedAsync(run, answer);
        }

        await run.Output.WriteLineAsync($"{(answer.Status == 201 ? "Created" : "Replaced")} secret '{name}' of tenant '{run.Tenant}'.");
        return Done;
    }

    private static async Task<int> CreateApiKeyAsync(Invocation run)
    {
        var answer = await run.Api.SendJsonAsync(HttpMethod.Post, $"{run.TenantPath}/api-keys",
            new { name = run.Arguments[1], description = run.Line.Get("description"), routes = run.Line.All("route") }, run.CancellationToken);
        if (!answer.Succeeded)
        {
            return await RefusedAsync(run, answer);
        }

        // The key is shown this once: it goes to standard output alone, so that it can be piped.
        await run.Output.WriteLineAsync((string?)answer.Json!["key"]);
        await run.Error.WriteLineAsync($"Created API key '{run.Arguments[1]}' for route(s) {string.Join(", ", run.Line.All("route"))}; it is not shown again.");
        return Done;
    }

    private static async Task<int> WriteAsync(Invocation run, string text)
    {
        if (run.Line.Get("output") is { } path && path != "-")
        {
            await File.WriteAllTextAsync(path, text, run.CancellationToken);
            await run.Error.WriteLineAsync($"Wrote {path}.");
        }
        else
        {
            await run.Output.WriteAsync(text);
        }

        return Done;
    }

    /// <summary>AdminApi's refusal, as its problem details say it: the title or detail, and each field at fault.</summary>
    private static async Task<int> RefusedAsync(Invocation run, ApiAnswer answer)
    {
        JsonNode? problem = null;
        try
        {
            problem = answer.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true ? answer.Json : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not the problem details it should be: the status says it.
        }

        var why = (string?)problem?["detail"] ?? (string?)problem?["title"] ?? (answer.Body.Length is > 0 and < 500 ? answer.Body : "no reason given");
        await run.Error.WriteLineAsync($"agw: AdminApi answered {answer.Status}: {why}");
        foreach (var (field, messages) in problem?["errors"] as JsonObject ?? [])
        {
            foreach (var message in messages as JsonArray ?? [])
            {
                await run.Error.WriteLineAsync($"  {field}: {message}");
            }
        }

        return Failed;
    }

    private static string Shown(JsonNode? value) => value switch
    {
        null => "(none)",
        JsonValue text when text.TryGetValue<string>(out var said) => said,
        _ => value.ToJsonString(),
    };

    private static string Missing(SortedSet<string> missing, Match match)
    {
        missing.Add(match.Groups[2].Value);
        return string.Empty;
    }

    /// <summary>A placeholder that is a whole value: after a key's colon or a list's dash, alone to the line's end.</summary>
    [GeneratedRegex(@"((?:^|[:\-])[ \t]+)\$\{([A-Za-z_][A-Za-z0-9_]*)\}[ \t]*(?=\r?$)", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\$\{[A-Za-z_][A-Za-z0-9_]*\}", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();
}
