using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Cli;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Cli;

/// <summary>agw against a real AdminApi: a tenant's config exported, edited, diffed and applied; admin tasks; refusals and usage errors.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class AgwCliTests(ControlPlaneFixture controlPlane) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("agw-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ATenantsConfig_IsExportedEditedDiffedAndApplied_FromTheCommandLine()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        await RestApiTests.CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        var token = await controlPlane.GetTokenAsync("admin", Cancellation);
        var environment = new Dictionary<string, string> { ["AGW_URL"] = controlPlane.AdminApiUrl.ToString(), ["AGW_TOKEN"] = token, ["TOOLS_KEY"] = "sk-from-env" };

        // A secret from the environment, and a route over the server.
        var secret = await RunAsync(environment, "secrets", "set", tenant, "tools-key", "--from-env", "TOOLS_KEY", "--description", "The tools' key");
        Assert.Equal((Agw.Done, $"Created secret 'tools-key' of tenant '{tenant}'."), (secret.Exit, secret.Output.Trim()));
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "tools", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        var routes = await RunAsync(environment, "routes", "list", tenant);
        Assert.Contains("tools", routes.Output, StringComparison.Ordinal);

        // Exported to a file, edited: a second route, and the secret's value from the environment again.
        var file = Path.Combine(_directory, "config.yaml");
        var exported = await RunAsync(environment, "config", "export", tenant, "-o", file);
        Assert.Equal(Agw.Done, exported.Exit);
        var yaml = await File.ReadAllTextAsync(file, Cancellation);
        Assert.Contains("name: tools-key", yaml, StringComparison.Ordinal);
        yaml = yaml.Replace("routes:\n", "routes:\n- name: more-tools\n  targets:\n  - utils\n  prefixMode: always\n", StringComparison.Ordinal)
            .Replace("  description: The tools' key\n", "  description: The tools' new key\n  value: ${TOOLS_KEY}\n", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, yaml, Cancellation);

        var diff = await RunAsync(environment, "config", "diff", tenant, "-f", file, "--expand-env");
        Assert.Equal(Agw.Done, diff.Exit);
        Assert.Contains("+ routes/more-tools", diff.Output, StringComparison.Ordinal);
        Assert.Contains("~ secrets/tools-key", diff.Output, StringComparison.Ordinal);
        Assert.Contains("    description: The tools' key -> The tools' new key", diff.Output, StringComparison.Ordinal);
        Assert.Contains("nothing was written", diff.Output, StringComparison.Ordinal);
        Assert.Single((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/routes", Cancellation))!);

        // Without --expand-env the placeholder would be the secret's value: the variable must be set when asked for.
        var unset = await RunAsync(environment.Where(variable => variable.Key != "TOOLS_KEY").ToDictionary(), "config", "apply", tenant, "-f", file, "--expand-env");
        Assert.Equal((Agw.Failed, "agw: the file names environment variables that are not set: TOOLS_KEY."), (unset.Exit, unset.Error.Trim()));

        // A placeholder inside a value is not replaced (its text could change the YAML around it): only whole values are.
        var inside = Path.Combine(_directory, "inside.yaml");
        await File.WriteAllTextAsync(inside, "secrets:\n- name: tools-key\n  description: the key ${TOOLS_KEY}\n", Cancellation);
        var partial = await RunAsync(environment, "config", "diff", tenant, "-f", inside, "--expand-env");
        Assert.Equal((Agw.Failed, "agw: ${TOOLS_KEY} must be a whole value (key: ${TOOLS_KEY}) to be replaced."), (partial.Exit, partial.Error.Trim()));

        var applied = await RunAsync(environment, "config", "apply", tenant, "-f", file, "--expand-env");
        Assert.Equal(Agw.Done, applied.Exit);
        Assert.Contains("change(s) applied", applied.Output, StringComparison.Ordinal);
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/routes", Cancellation))!.Length);
        var again = await RunAsync(environment, "config", "diff", tenant, "-f", file, "--expand-env");
        Assert.Contains("~ secrets/tools-key", again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("routes/", again.Output, StringComparison.Ordinal);

        // A refused document: the exit code and each field at fault on standard error.
        await File.WriteAllTextAsync(file, "routes:\n- name: broken\n  targets: [nobody]\n", Cancellation);
        var refused = await RunAsync(environment, "config", "apply", tenant, "-f", file);
        Assert.Equal(Agw.Failed, refused.Exit);
        Assert.Contains("agw: AdminApi answered 400: Nothing was applied", refused.Error, StringComparison.Ordinal);
        Assert.Contains("  routes[0].targets:", refused.Error, StringComparison.Ordinal);

        // The schema, and an API key printed once.
        var schema = await RunAsync(environment, "config", "schema");
        Assert.Equal("AgentGateway tenant config", JsonDocument.Parse(schema.Output).RootElement.GetProperty("title").GetString());
        var key = await RunAsync(environment, "api-keys", "create", tenant, "ci", "--route", "tools");
        Assert.Equal(Agw.Done, key.Exit);
        using var keyed = await admin.GetAsync(new Uri($"/api/v1/tenants/{tenant}/api-keys", UriKind.Relative), Cancellation);
        var prefix = JsonDocument.Parse(await keyed.Content.ReadAsStringAsync(Cancellation)).RootElement[0].GetProperty("prefix").GetString()!;
        Assert.StartsWith(prefix, key.Output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageErrorsAndRefusals_HaveTheirExitCodesAndSayWhy()
    {
        var environment = new Dictionary<string, string> { ["AGW_URL"] = controlPlane.AdminApiUrl.ToString() };
        Assert.Equal(Agw.Usage, (await RunAsync(environment, "config", "teleport", "x")).Exit);
        var noToken = await RunAsync(environment, "tenants", "list");
        Assert.Equal((Agw.Usage, true), (noToken.Exit, noToken.Error.Contains("AGW_TOKEN", StringComparison.Ordinal)));
        var extra = await RunAsync(environment, "tenants", "list", "--prune", "--token", "x");
        Assert.Equal((Agw.Usage, true), (extra.Exit, extra.Error.Contains("takes no --prune", StringComparison.Ordinal)));
        Assert.Equal(Agw.Usage, (await RunAsync(environment, "config", "export")).Exit);
        var help = await RunAsync(environment, "--help");
        Assert.Equal((Agw.Done, true), (help.Exit, help.Output.Contains("agw config apply <tenant>", StringComparison.Ordinal)));

        // A token AdminApi does not take, and a tenant the caller cannot see.
        var badToken = await RunAsync(environment, "tenants", "list", "--token", "not-a-token");
        Assert.Equal((Agw.Failed, true), (badToken.Exit, badToken.Error.StartsWith("agw: AdminApi answered 401", StringComparison.Ordinal)));
        environment["AGW_TOKEN"] = await controlPlane.GetTokenAsync("developer", Cancellation);
        var hidden = await RunAsync(environment, "config", "export", "no-such-tenant");
        Assert.Equal((Agw.Failed, true), (hidden.Exit, hidden.Error.Contains("answered 404", StringComparison.Ordinal)));
        var unreachable = await RunAsync(environment, "tenants", "list", "--url", "http://127.0.0.1:9/");
        Assert.Equal((Agw.Failed, true), (unreachable.Exit, unreachable.Error.Contains("could not be reached", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Login_SignsInThroughTheIssuerInABrowser_AndLaterCommandsUseTheKeptTokenUntilLogout()
    {
        using (var admin = await controlPlane.CreateClientAsync("admin", Cancellation))
        {
            await RestApiTests.CreateTenantAsync(admin, null, null);
        }

        var environment = new Dictionary<string, string> { ["HOME"] = Path.Combine(_directory, "home"), ["AGW_URL"] = controlPlane.AdminApiUrl.ToString() };
        using var said = new SignInPrompt();
        var login = Agw.RunAsync(["login", "--no-browser"], TextWriter.Null, said, name => environment.GetValueOrDefault(name), Cancellation);

        // The browser: the issuer's sign-in, then back to agw's loopback listener with the code.
        var authorize = await said.Url.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        Assert.Contains("code_challenge_method=S256", authorize.Query, StringComparison.Ordinal);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new System.Net.CookieContainer() });
        var back = await IssuerBrowser.SignInAsync(browser, authorize, "admin", Cancellation);
        Assert.Equal(("127.0.0.1", "/callback"), (back.Host, back.AbsolutePath));
        var page = await browser.GetStringAsync(back, Cancellation);
        Assert.Contains("Signed in", page, StringComparison.Ordinal);
        Assert.Equal(Agw.Done, await login);

        // Kept for its user alone, and used without a token given.
        var kept = Path.Combine(_directory, "home", ".config", "agw", "credentials.json");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kept));
        }

        environment.Remove("AGW_URL");
        var tenants = await RunAsync(environment, "tenants", "list");
        Assert.Equal(Agw.Done, tenants.Exit);
        Assert.Contains("t-", tenants.Output, StringComparison.Ordinal);

        // An expired token is refreshed with the kept refresh token, and kept anew.
        var credentials = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(kept, Cancellation))!;
        var expiredToken = (string)credentials["accessToken"]!;
        credentials["expiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(kept, credentials.ToJsonString(), Cancellation);
        Assert.Equal(Agw.Done, (await RunAsync(environment, "tenants", "list")).Exit);
        var refreshed = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(kept, Cancellation))!;
        Assert.NotEqual(expiredToken, (string)refreshed["accessToken"]!);
        Assert.True(DateTimeOffset.Parse((string)refreshed["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);

        // A sign-in answer that is not this sign-in's is refused.
        Assert.Equal(Agw.Done, (await RunAsync(environment, "logout")).Exit);
        Assert.False(File.Exists(kept));
        Assert.Equal(Agw.Usage, (await RunAsync(environment, "tenants", "list", "--url", controlPlane.AdminApiUrl.ToString())).Exit);
        using var forged = new SignInPrompt();
        environment["AGW_URL"] = controlPlane.AdminApiUrl.ToString();
        var second = Agw.RunAsync(["login", "--no-browser"], TextWriter.Null, forged, name => environment.GetValueOrDefault(name), Cancellation);
        var listener = await forged.Url.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        var redirect = Uri.UnescapeDataString(listener.Query.Split('&').Single(part => part.StartsWith("redirect_uri=", StringComparison.Ordinal))["redirect_uri=".Length..]);
        var refused = await browser.GetStringAsync(new Uri($"{redirect}?code=stolen&state=guessed"), Cancellation);
        Assert.Contains("Not signed in", refused, StringComparison.Ordinal);
        Assert.Equal(Agw.Failed, await second);
        Assert.False(File.Exists(kept));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Standard error of agw login, which says when the URL to open is known.</summary>
    private sealed class SignInPrompt : StringWriter
    {
        private readonly TaskCompletionSource<Uri> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Uri> Url => _url.Task;

        public override Task WriteLineAsync(string? value)
        {
            const string Prompt = "Sign in in your browser: ";
            if (value?.StartsWith(Prompt, StringComparison.Ordinal) == true)
            {
                _url.TrySetResult(new Uri(value[Prompt.Length..]));
            }

            return base.WriteLineAsync(value);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Agw.RunAsync(args, output, error, name => environment.GetValueOrDefault(name), Cancellation);
        return (exit, output.ToString(), error.ToString());
    }
}
