using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>
/// The whole way from the REST API to traffic, as an attacker tenant would try it: a seeded generator sends hostile
/// routes through AdminApi (every answer a clean 201, 400 or 409), a real proxy receives what was accepted over xDS,
/// and raw requests for the victim tenant (dot segments, percent-encodings, case, other hosts, methods and headers)
/// reach the victim's upstream or nothing — never the attacker's.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class TenantRoutesFuzzTests(ControlPlaneFixture controlPlane)
{
    private static readonly string[] s_regexParts =
    [
        "^/{a}/", "^/{v}/", "/{v}/.*", ".*", "(?i)", "(?#c|)", "(?x) # |\n", "|", "|^/{v}/.*", "(?=/{v})", "[|]", "\\|", "(?:", ")", "(?s)",
        "[/]{v}", "/\\x76", "(?i:/{V}/.*)", "(?<=/)", "\\/{v}", "x*", "(/{v})?", "#",
    ];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HostileRoutesThroughTheApi_NeverReachAnotherTenantsTraffic()
    {
        await using var victimUpstream = await EchoUpstream.StartAsync("victim");
        await using var attackerUpstream = await EchoUpstream.StartAsync("attacker");
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        foreach (var upstream in new[] { victimUpstream, attackerUpstream })
        {
            (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "127.0.0.1/32", ports = new[] { upstream.Address.Port }, description = "fuzz upstream" }, Cancellation))
                .EnsureSuccessStatusCode();
        }

        // URL checks go through the control plane's egress policy, which learns the new rules with its next snapshot.
        await using (var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.EgressPolicy))
        {
            await xds.WaitForAsync<EgressPolicy>(ResourceTypes.EgressPolicy, ResourceTypes.EgressPolicyName,
                policy => policy.Allow.Any(rule => rule.Ports.Contains((uint)attackerUpstream.Address.Port)), Cancellation, TimeSpan.FromSeconds(20));
        }

        var victim = await CreateTenantAsync(admin, null, null);
        var attacker = await CreateTenantAsync(admin, null, null);
        var domain = NewName("f") + ".example.test";
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{victim}/routes", Route("api", null, $"/{victim}/api", null, [], [], victimUpstream), Cancellation)).EnsureSuccessStatusCode();

        // The attacker's routes, each answered cleanly; some are accepted (inside its own namespace).
        var random = new Random(61206);
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var index = 0; index < 120; index++)
        {
            var body = AttackerRoute(random, $"r{index}", victim, attacker, domain, attackerUpstream);
            using var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{attacker}/routes", body, Cancellation);
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest or HttpStatusCode.Conflict,
                $"{(int)response.StatusCode} for {System.Text.Json.JsonSerializer.Serialize(body)}: {await response.Content.ReadAsStringAsync(Cancellation)}");
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
        }

        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.Created) > 0 && statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 0, string.Join(", ", statuses));

        await using var proxy = await controlPlane.StartProxyAsync(Cancellation);
        await UntilServedAsync(proxy.BaseAddress, $"/{victim}/api/ready", victimUpstream);
        attackerUpstream.Requests.Clear();
        victimUpstream.Requests.Clear();

        // Raw requests for the victim, as a client writes them; the server normalizes them to paths under /{victim}/api.
        string[] paths =
        [
            $"/{victim}/api/x", $"/{victim}/api", $"/{attacker}/../{victim}/api/x", $"/{attacker}/%2e%2e/{victim}/api/x", $"/./{victim}/api/x",
            $"/{victim}/./api/x", $"/%{(int)victim[0]:x2}{victim[1..]}/api/x", $"/{victim}/api/%7C/x", $"/{victim}/api/x?{attacker}=1",
            $"/{victim}/api/{attacker}/x", $"/{victim}/api/x%20y",
        ];
        string[] hosts = ["127.0.0.1", "localhost", $"api.{domain}", $"x.{domain}", "GATEWAY.EXAMPLE.TEST"];
        string[] methods = ["GET", "POST", "PUT", "DELETE"];
        var sent = 0;
        foreach (var path in paths)
        {
            foreach (var host in hosts)
            {
                var method = methods[random.Next(methods.Length)];
                var status = await RawRequestAsync(proxy.BaseAddress, method, path, host, random.Next(2) == 0 ? "x-attack: 1\r\n" : string.Empty);
                Assert.True(status is 200 or 404, $"{method} {host}{path} answered {status}");
                sent++;
            }
        }

        Assert.Empty(attackerUpstream.Requests);
        Assert.Equal(sent, victimUpstream.Requests.Count);
        Assert.All(victimUpstream.Requests, request => Assert.StartsWith($"/{victim}/api", request.Path, StringComparison.Ordinal));
    }

    private static object Route(string name, string? path, string? pathPrefix, string? pathRegex, string[] hosts, string[] methods, EchoUpstream upstream, bool header = false) => new
    {
        name,
        kind = "http",
        path,
        pathPrefix,
        pathRegex,
        hosts,
        methods,
        headers = header ? new[] { new { name = "x-attack", exact = "1" } } : [],
        destinations = new[] { new { name = "main", url = upstream.Address.ToString() } },
    };

    private static object AttackerRoute(Random random, string name, string victim, string attacker, string domain, EchoUpstream upstream)
    {
        string[] paths = [$"/{victim}/api", $"/{victim}", $"/{attacker}/../{victim}/api", $"/{attacker}", $"/{attacker}/api", "/", $"/{victim.ToUpperInvariant()}/api", $"/{attacker}/%2e%2e/{victim}"];
        string[] hostSets = ["", "127.0.0.1", $"api.{domain}", $"*.{domain}", "gateway.test", "*.test"];
        var hosts = hostSets[random.Next(hostSets.Length)] is { Length: > 0 } host ? new[] { host } : [];
        var methods = random.Next(3) == 0 ? new[] { "GET" } : [];
        var header = random.Next(3) == 0;
        switch (random.Next(3))
        {
            case 0:
                return Route(name, paths[random.Next(paths.Length)], null, null, hosts, methods, upstream, header);
            case 1:
                return Route(name, null, paths[random.Next(paths.Length)], null, hosts, methods, upstream, header);
            default:
                var pattern = string.Concat(Enumerable.Range(0, random.Next(1, 5)).Select(_ => s_regexParts[random.Next(s_regexParts.Length)]))
                    .Replace("{a}", attacker, StringComparison.Ordinal).Replace("{v}", victim, StringComparison.Ordinal)
                    .Replace("{V}", victim.ToUpperInvariant(), StringComparison.Ordinal);
                return Route(name, null, null, random.Next(2) == 0 ? $"^/{attacker}/{pattern}" : pattern, hosts, methods, upstream, header);
        }
    }

    private static async Task UntilServedAsync(Uri proxy, string path, EchoUpstream upstream)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (await RawRequestAsync(proxy, "GET", path, "127.0.0.1", string.Empty) != 200 || upstream.Requests.IsEmpty)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the proxy never served the victim's route");
            await Task.Delay(100, Cancellation);
        }
    }

    /// <summary>One HTTP/1.1 request with the request target exactly as given (no client-side normalization); its status.</summary>
    internal static async Task<int> RawRequestAsync(Uri server, string method, string target, string host, string extraHeaders)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, Cancellation);
        await using var stream = client.GetStream();
        var request = $"{method} {target} HTTP/1.1\r\nHost: {host}\r\n{extraHeaders}Content-Length: 0\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Cancellation);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync(Cancellation) ?? string.Empty;
        var parts = statusLine.Split(' ');
        return parts.Length > 1 && int.TryParse(parts[1], out var status) ? status : -1;
    }
}
