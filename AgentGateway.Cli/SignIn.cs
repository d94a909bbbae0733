using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Cli;

/// <summary>What <c>agw login</c> keeps: the AdminApi it signed in for, the issuer, the client, and the tokens.</summary>
internal sealed record StoredCredentials(Uri Url, Uri Authority, string ClientId, string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt);

/// <summary>
/// Signing in from the command line as RFC 8252 says a native app does: the platform's issuer in the user's browser,
/// its answer on a loopback listener, the authorization code exchanged with PKCE. The client is the one the user names
/// or, when the issuer takes dynamic registrations (RFC 7591), one registered for the listener's address. The tokens are
/// kept in <c>$XDG_CONFIG_HOME/agw/credentials.json</c> (else <c>~/.config/agw</c>), readable by the user alone, and
/// refreshed when they expire.
/// </summary>
internal static class SignIn
{
    private static readonly TimeSpan s_wait = TimeSpan.FromMinutes(5);

    /// <summary>The file the credentials are kept in, or null when the environment names no home.</summary>
    public static string? CredentialsPath(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var config = environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg : environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".config") : null;
        return config is null ? null : Path.Combine(config, "agw", "credentials.json");
    }

    public static async Task<StoredCredentials?> ReadAsync(Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (CredentialsPath(environment) is not { } path || !File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<StoredCredentials>(await File.ReadAllTextAsync(path, cancellationToken), JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Signs the user in for AdminApi at <paramref name="url"/>; the credentials kept, or why not.</summary>
    public static async Task<(StoredCredentials? Credentials, string? Problem)> LoginAsync(
        Uri url, Uri? authority, string? clientId, bool openBrowser, TextWriter error, Func<string, string?> environment, HttpMessageHandler? handler,
        CancellationToken cancellationToken)
    {
        using var http = Http(handler);
        if (authority is null)
        {
            // AdminApi names the issuer its tokens come from.
            using var answer = await http.GetAsync(new Uri(url, "/api/v1/sign-in"), cancellationToken);
            if (!answer.IsSuccessStatusCode || JsonNode.Parse(await answer.Content.ReadAsStringAsync(cancellationToken))?["authority"] is not JsonValue named
                || !Uri.TryCreate((string?)named, UriKind.Absolute, out authority))
            {
                return (null, $"AdminApi at {url} did not name its issuer ({(int)answer.StatusCode}): give it with --authority.");
            }
        }

        var metadata = await MetadataAsync(http, authority, cancellationToken);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var redirect = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/callback";
        if (clientId is null)
        {
            if ((string?)metadata["registration_endpoint"] is not { } registration)
            {
                return (null, $"the issuer {authority} registers no clients: give a public client's id with --client-id.");
            }

            using var registered = await http.PostAsync(new Uri(registration), JsonContent(new JsonObject
            {
                ["client_name"] = "agw",
                ["redirect_uris"] = new JsonArray(redirect),
                ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
                ["response_types"] = new JsonArray("code"),
                ["token_endpoint_auth_method"] = "none",
                ["application_type"] = "native",
            }), cancellationToken);
            var body = await registered.Content.ReadAsStringAsync(cancellationToken);
            if (!registered.IsSuccessStatusCode || (string?)JsonNode.Parse(body)?["client_id"] is not { } registeredId)
            {
                return (null, $"the issuer refused to register agw ({(int)registered.StatusCode}: {body}); give a public client's id with --client-id.");
            }

            clientId = registeredId;
        }

        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var authorize = $"{(string)metadata["authorization_endpoint"]!}?response_type=code&client_id={Uri.EscapeDataString(clientId)}"
            + $"&redirect_uri={Uri.EscapeDataString(redirect)}&scope={Uri.EscapeDataString("openid offline_access")}&state={state}"
            + $"&code_challenge={Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))}&code_challenge_method=S256";
        await error.WriteLineAsync($"Sign in in your browser: {authorize}");
        if (openBrowser)
        {
            OpenBrowser(authorize);
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(s_wait);
        string? code;
        try
        {
            code = await ReceiveCodeAsync(listener, state, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no sign-in came back within {s_wait.TotalMinutes:0} minutes.");
        }

        if (code is null)
        {
            return (null, "the issuer's answer had no code for this sign-in (refused, or another sign-in's).");
        }

        var tokens = await TokenAsync(http, (string)metadata["token_endpoint"]!, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["code"] = code,
            ["redirect_uri"] = redirect,
            ["code_verifier"] = verifier,
        }, cancellationToken);
        if (tokens.Problem is not null)
        {
            return (null, tokens.Problem);
        }

        var credentials = new StoredCredentials(url, authority, clientId, tokens.AccessToken!, tokens.RefreshToken, tokens.ExpiresAt);
        return await SaveAsync(credentials, environment, cancellationToken) is { } saveProblem ? (null, saveProblem) : (credentials, null);
    }

    /// <summary>The kept credentials with a token that is still good: refreshed when it expired; null when it cannot be.</summary>
    public static async Task<StoredCredentials?> CurrentAsync(
        StoredCredentials credentials, Func<string, string?> environment, HttpMessageHandler? handler, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (credentials.ExpiresAt > time.GetUtcNow().AddSeconds(30))
        {
            return credentials;
        }

        if (credentials.RefreshToken is null)
        {
            return null;
        }

        using var http = Http(handler);
        var metadata = await MetadataAsync(http, credentials.Authority, cancellationToken);
        var tokens = await TokenAsync(http, (string)metadata["token_endpoint"]!, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = credentials.ClientId,
            ["refresh_token"] = credentials.RefreshToken,
        }, cancellationToken);
        if (tokens.Problem is not null)
        {
            return null;
        }

        var refreshed = credentials with { AccessToken = tokens.AccessToken!, RefreshToken = tokens.RefreshToken ?? credentials.RefreshToken, ExpiresAt = tokens.ExpiresAt };
        await SaveAsync(refreshed, environment, cancellationToken);
        return refreshed;
    }

    /// <summary>Forgets the kept credentials; false when there were none.</summary>
    public static bool Logout(Func<string, string?> environment)
    {
        if (CredentialsPath(environment) is not { } path || !File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>Takes requests on the listener until one comes to the callback; its code when its state is this sign-in's.</summary>
    private static async Task<string?> ReceiveCodeAsync(TcpListener listener, string state, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var client = await listener.AcceptTcpClientAsync(cancellationToken);
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync(cancellationToken) ?? string.Empty;
            var target = requestLine.Split(' ') is [_, var path, ..] ? path : string.Empty;
            var callback = target.StartsWith("/callback?", StringComparison.Ordinal);
            var query = callback ? Query(target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..]) : [];
            var accepted = callback && query.GetValueOrDefault("state") == state && query.ContainsKey("code");
            var page = !callback
                ? "Not found."
                : accepted ? "Signed in: agw has what it needs. You can close this window." : $"Not signed in: {WebUtility.HtmlEncode(query.GetValueOrDefault("error_description") ?? query.GetValueOrDefault("error") ?? "the answer is not this sign-in's")}.";
            var html = $"<!doctype html><html><head><meta charset=\"utf-8\"><title>agw</title></head><body><p>{page}</p></body></html>";
            var bytes = Encoding.UTF8.GetBytes(html);
            var head = $"HTTP/1.1 {(callback ? "200 OK" : "404 Not Found")}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
            await stream.WriteAsync(bytes, cancellationToken);
            if (callback)
            {
                return accepted ? query["code"] : null;
            }
        }
    }

    private static Dictionary<string, string> Query(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            values.TryAdd(name, equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' ')));
        }

        return values;
    }

    private static async Task<(string? AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt, string? Problem)> TokenAsync(
        HttpClient http, string tokenEndpoint, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri(tokenEndpoint), new FormUrlEncodedContent(form), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var tokens = response.IsSuccessStatusCode ? JsonNode.Parse(body) : null;
        if ((string?)tokens?["access_token"] is not { } accessToken)
        {
            return (null, null, default, $"the issuer did not issue a token ({(int)response.StatusCode}: {body}).");
        }

        var lifetime = tokens["expires_in"] is JsonValue seconds && seconds.TryGetValue<int>(out var value) ? value : 300;
        return (accessToken, (string?)tokens["refresh_token"], DateTimeOffset.UtcNow.AddSeconds(lifetime), null);
    }

    /// <summary>Writes the credentials where only their user can read them; the problem, or null.</summary>
    private static async Task<string?> SaveAsync(StoredCredentials credentials, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (CredentialsPath(environment) is not { } path)
        {
            return "neither XDG_CONFIG_HOME nor HOME is set: there is nowhere to keep the credentials.";
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(file, credentials, JsonSerializerOptions.Web, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
        return null;
    }

    private static HttpClient Http(HttpMessageHandler? handler) =>
        new(handler ?? new HttpClientHandler(), disposeHandler: handler is null) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The issuer's OpenID Connect discovery document.</summary>
    private static async Task<JsonNode> MetadataAsync(HttpClient http, Uri authority, CancellationToken cancellationToken) =>
        JsonNode.Parse(await http.GetStringAsync(new Uri(authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration"), cancellationToken))!;

    private static StringContent JsonContent(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Opens the URL in the user's browser when the machine has one; the URL is printed either way.</summary>
    private static void OpenBrowser(string url)
    {
        try
        {
            var opener = OperatingSystem.IsWindows() ? new ProcessStartInfo(url) { UseShellExecute = true }
                : OperatingSystem.IsMacOS() ? new ProcessStartInfo("open", [url])
                : new ProcessStartInfo("xdg-open", [url]);
            using var process = Process.Start(opener);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No browser here: the printed URL is the way.
        }
    }
}
