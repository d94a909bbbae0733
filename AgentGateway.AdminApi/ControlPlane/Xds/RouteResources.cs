using System.Security.Cryptography;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.LlmProviders;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Routes;
using LlmProvider = AgentGateway.AdminApi.Data.Entities.LlmProvider;
using ToolPin = AgentGateway.AdminApi.Data.Entities.ToolPin;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using Google.Protobuf;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>Turns stored routes into the xDS resources proxies receive.</summary>
internal static class RouteResources
{
    /// <summary>The xDS resource name of a route: <c>{tenant}/{route}</c>.</summary>
    public static string ResourceName(string tenant, string route) => $"{tenant}/{route}";

    /// <summary>
    /// The route as proxies receive it: its match, its backend by kind (MCP targets, HTTP destinations, the A2A
    /// agent's URLs, or the LLM providers of the catalog), with its effective policies and backend auth/TLS (secrets
    /// already inlined by the caller).
    /// </summary>
    public static AgentGateway.Contracts.V1.Route ToResource(
        GatewayRoute route, string tenant, EffectiveRoutePolicies effective, IEnumerable<ToolPin> pins, IReadOnlyDictionary<string, LlmProvider>? llmProviders = null,
        Func<string, string?>? connectUrl = null)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(effective);
        ArgumentNullException.ThrowIfNull(pins);
        var definition = RouteDefinitions.Of(route);
        var resource = new AgentGateway.Contracts.V1.Route
        {
            Tenant = tenant,
            Name = route.Name,
            Match = definition.Match,
            Policies = effective.ToRoutePolicies(),
        };
        var single = effective.Targets.FirstOrDefault();
        switch (route.Kind)
        {
            case RouteKinds.Http:
                resource.Http = definition.Http ?? new HttpBackend();
                resource.Http.Auth = single?.Auth?.Spec as BackendAuth;
                resource.Http.Tls = single?.Tls?.Spec as BackendTls;
                return resource;
            case RouteKinds.A2a:
                resource.A2A = new A2aBackend
                {
                    Url = route.Agent!.Url,
                    CardUrl = route.Agent.CardUrl ?? string.Empty,
                    Auth = single?.Auth?.Spec as BackendAuth,
                    Tls = single?.Tls?.Spec as BackendTls,
                };
                return resource;
            case RouteKinds.Llm:
                resource.Llm = ToLlmBackend(definition.Llm ?? new LlmBackend(), effective, llmProviders ?? new Dictionary<string, LlmProvider>());
                return resource;
        }

        resource.Mcp = ToMcpBackend(route);
        foreach (var target in resource.Mcp.Targets)
        {
            // Credentials and TLS are for HTTP transports; a stdio process gets neither.
            if (target.TransportCase != McpTarget.TransportOneofCase.Stdio
                && effective.Targets.FirstOrDefault(candidate => candidate.Target == target.Name) is { } backend)
            {
                target.Auth = ForProxies(backend.Auth, tenant, connectUrl);
                target.Tls = backend.Tls?.Spec as BackendTls;
            }
        }

        resource.Mcp.ToolPinning = ToToolPinning(route, pins);
        return resource;
    }

    /// <summary>
    /// A target's backend auth as proxies receive it. Users' own OAuth names the vault's entry (the tenant and the policy)
    /// and the Portal's page where a user authorizes; the client secret stays with the control plane, which alone talks
    /// to the authorization server.
    /// </summary>
    private static BackendAuth? ForProxies(EffectivePolicy? auth, string tenant, Func<string, string?>? connectUrl)
    {
        if (auth?.Spec is not BackendAuth spec || spec.UserOauth is not { } user)
        {
            return auth?.Spec as BackendAuth;
        }

        var policy = auth.Source?.Entity.Name ?? string.Empty;
        user.ClientSecret = null;
        user.Tenant = tenant;
        user.Connection = policy;
        user.ConnectUrl = connectUrl?.Invoke(policy) ?? string.Empty;
        return spec;
    }

    /// <summary>
    /// An LLM route's backend: each provider it names as the tenant's catalog has it (kind, URL, timeout), with its
    /// effective credentials and TLS. A provider missing from the catalog is left out, and with it its model targets.
    /// </summary>
    public static LlmBackend ToLlmBackend(LlmBackend stored, EffectiveRoutePolicies effective, IReadOnlyDictionary<string, LlmProvider> catalog)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(effective);
        ArgumentNullException.ThrowIfNull(catalog);
        var backend = new LlmBackend { PassiveHealthCheck = stored.PassiveHealthCheck, ActiveHealthCheck = stored.ActiveHealthCheck };
        foreach (var name in stored.Providers.Select(provider => provider.Name))
        {
            if (!catalog.TryGetValue(name, out var entry))
            {
                continue;
            }

            var policies = effective.Targets.FirstOrDefault(candidate => candidate.Target == name);
            backend.Providers.Add(new AgentGateway.Contracts.V1.LlmProvider
            {
                Name = name,
                Kind = LlmProviderKinds.KindOf(entry.Kind) ?? LlmProviderKind.Openai,
                Url = entry.Url,
                ApiVersion = entry.ApiVersion ?? string.Empty,
                NativeResponses = entry.NativeResponses,
                TimeoutMs = (uint)(entry.TimeoutMs ?? 0),
                Auth = policies?.Auth?.Spec as BackendAuth,
                Tls = policies?.Tls?.Spec as BackendTls,
            });
        }

        foreach (var model in stored.Models)
        {
            var served = new LlmModel { Name = model.Name };
            served.Targets.Add(model.Targets.Where(target => catalog.ContainsKey(target.Provider)));
            if (served.Targets.Count > 0)
            {
                backend.Models.Add(served);
            }
        }

        return backend;
    }

    /// <summary>The route's pinning mode and the approved pins of its current targets.</summary>
    public static ToolPinning ToToolPinning(GatewayRoute route, IEnumerable<ToolPin> pins)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(pins);
        var pinning = new ToolPinning { Mode = Validation.ToText(route.ToolPinning) };
        if (route.ToolPinning == ToolPinningSetting.Off)
        {
            return pinning;
        }

        var targets = route.Targets.Select(target => target.McpServer!.Name).ToHashSet(StringComparer.Ordinal);
        pinning.Pins.Add(pins
            .Where(pin => pin.RouteId == route.Id && pin.ApprovedSha256 is not null && targets.Contains(pin.Target))
            .OrderBy(pin => pin.Target, StringComparer.Ordinal).ThenBy(pin => pin.Tool, StringComparer.Ordinal)
            .Select(pin => new AgentGateway.Contracts.V1.ToolPin { Target = pin.Target, Tool = pin.Tool, Sha256 = pin.ApprovedSha256 }));
        return pinning;
    }

    public static McpBackend ToMcpBackend(GatewayRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var backend = new McpBackend
        {
            PrefixMode = route.PrefixMode switch
            {
                PrefixModeSetting.Always => PrefixMode.Always,
                PrefixModeSetting.Never => PrefixMode.Never,
                _ => PrefixMode.Conditional,
            },
            FailureMode = route.FailureMode == FailureModeSetting.Closed ? FailureMode.FailClosed : FailureMode.FailOpen,
            TargetTimeoutMs = (uint)(route.TargetTimeoutMs ?? 0),
        };
        foreach (var target in route.Targets.OrderBy(target => target.Position))
        {
            backend.Targets.Add(ToTarget(target.McpServer!));
        }

        return backend;
    }

    /// <summary>The proxy's view of a registered server: its transport and how to reach it.</summary>
    public static McpTarget ToTarget(McpServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var target = new McpTarget { Name = server.Name };
        switch (server.Transport)
        {
            case Validation.StdioTransport:
                target.Stdio = new StdioTransport { Command = server.Command ?? string.Empty, WorkingDirectory = server.WorkingDirectory ?? string.Empty };
                target.Stdio.Args.Add(server.Args);
                target.Stdio.Env.Add(server.Env);
                break;
            case Validation.OpenApiTransport:
                target.Openapi = new OpenApiTransport { SpecUrl = server.Url };
                target.Openapi.Headers.Add(server.Headers);
                break;
            case Validation.SseTransport:
                target.Sse = new SseTransport { Url = server.Url };
                target.Sse.Headers.Add(server.Headers);
                break;
            default:
                target.StreamableHttp = new StreamableHttpTransport { Url = server.Url };
                target.StreamableHttp.Headers.Add(server.Headers);
                break;
        }

        return target;
    }

    /// <summary>A resource's version: a digest of its content, so an unchanged route keeps its version.</summary>
    public static string Version(IMessage resource) =>
        Convert.ToHexStringLower(SHA256.HashData(resource.ToByteArray()))[..16];
}
