using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Deploy.Fixtures;
using Microsoft.AspNetCore.Http;
using ServiceDefaults = Microsoft.Extensions.Hosting.Extensions;

namespace AgentGateway.Tests.Deploy;

/// <summary>
/// The Kustomize base of <c>deploy/kubernetes</c> and its demo overlay, rendered by <c>kubectl kustomize</c>: what
/// every workload must hold to run the images safely, be probed where ServiceDefaults serves the probes, find its
/// settings and secrets, and survive scale-down, drains and disruptions.
/// </summary>
public sealed class KubernetesManifestsTests
{
    /// <summary>The images' user (ContainerUser of the projects).</summary>
    private const long ImageUser = 1654;

    public static TheoryData<string> Renders => ["base", "overlays/demo"];

    /// <summary>Each workload and the project its image is published from (ContainerRepository).</summary>
    public static TheoryData<string, string> Workloads => new()
    {
        { "agentgateway-proxy", "agentgateway/proxy" },
        { "agentgateway-adminapi", "agentgateway/adminapi" },
        { "agentgateway-portal", "agentgateway/portal" },
    };

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task Render_HasTheProxyAdminApiAndPortal_EachWithAServiceAndADisruptionBudget(string directory)
    {
        var manifests = await KubernetesManifests.RenderAsync(directory);

        Assert.Equal(
            ["agentgateway-adminapi", "agentgateway-portal", "agentgateway-proxy"],
            manifests.OfKind("Deployment").Select(KubernetesManifests.Name).Order(StringComparer.Ordinal));
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var pods = PodLabels(deployment);
            Assert.Single(manifests.OfKind("Service"), service => Selects(service["spec"]!["selector"]!.AsObject(), pods));
            Assert.Single(manifests.OfKind("PodDisruptionBudget"), budget => Selects(budget["spec"]!["selector"]!["matchLabels"]!.AsObject(), pods));
        }

        foreach (var budget in manifests.OfKind("PodDisruptionBudget"))
        {
            // One pod of a workload may be down for a node drain, never all of them.
            Assert.True(Int(budget["spec"]!["maxUnavailable"]) == 1 || Int(budget["spec"]!["minAvailable"]) >= 1, KubernetesManifests.Name(budget));
            Assert.Single(manifests.OfKind("Deployment"), deployment => Selects(budget["spec"]!["selector"]!["matchLabels"]!.AsObject(), PodLabels(deployment)));
        }
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task EveryWorkload_RunsAsTheImagesNonRootUser_OnAReadOnlyRootFileSystem_WithoutPrivilegesOrAnApiToken(string directory)
    {
        var manifests = await KubernetesManifests.RenderAsync(directory);

        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var pod = PodSpec(deployment);
            var name = KubernetesManifests.Name(deployment);
            Assert.Equal(false, (bool?)pod["automountServiceAccountToken"]);
            var podSecurity = pod["securityContext"]!;
            Assert.Equal(true, (bool?)podSecurity["runAsNonRoot"]);
            Assert.Equal(ImageUser, (long?)podSecurity["runAsUser"]);
            Assert.Equal("RuntimeDefault", (string?)podSecurity["seccompProfile"]!["type"]);
            foreach (var container in Containers(deployment))
            {
                var security = container["securityContext"]!;
                Assert.True((bool?)security["readOnlyRootFilesystem"] == true, $"{name}: readOnlyRootFilesystem");
                Assert.True((bool?)security["allowPrivilegeEscalation"] == false, $"{name}: allowPrivilegeEscalation");
                Assert.NotEqual(true, (bool?)security["privileged"]);
                Assert.Contains("ALL", security["capabilities"]!["drop"]!.AsArray().Select(capability => (string?)capability));
                Assert.Null(security["capabilities"]!["add"]);

                // The one writable place is /tmp, an emptyDir of the pod.
                var tmp = Assert.Single(container["volumeMounts"]!.AsArray(), mount => (string?)mount!["mountPath"] == "/tmp")!;
                var volume = Assert.Single(pod["volumes"]!.AsArray(), volume => (string?)volume!["name"] == (string?)tmp["name"])!;
                Assert.NotNull(volume["emptyDir"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task EveryWorkload_IsProbedOnItsManagementListener_AtThePathsServiceDefaultsServes(string directory)
    {
        var manifests = await KubernetesManifests.RenderAsync(directory);

        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var name = KubernetesManifests.Name(deployment);
            var container = Containers(deployment).Single();
            var management = Assert.Single(ContainerPorts(container), port => port.Name == "management");
            var environment = Environment(container);
            Assert.Equal(management.Number, Port(environment[ServiceDefaults.ManagementUrlKey.Replace(":", "__", StringComparison.Ordinal)]));

            AssertProbe(container["startupProbe"], ServiceDefaults.LivenessPath);
            AssertProbe(container["livenessProbe"], ServiceDefaults.LivenessPath);
            AssertProbe(container["readinessProbe"], ServiceDefaults.ReadinessPath);

            void AssertProbe(JsonNode? probe, string path)
            {
                Assert.True(probe is not null, $"{name} has no such probe");
                var get = probe["httpGet"]!;
                Assert.Equal(path, (string?)get["path"]);
                Assert.True((string?)get["port"] == "management" || Int(get["port"]) == management.Number, $"{name} probes {get["port"]}, not the management port");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task EveryWorkload_DeclaresExactlyThePortsItsSettingsMakeItListenOn(string directory)
    {
        var manifests = await KubernetesManifests.RenderAsync(directory);

        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var container = Containers(deployment).Single();
            var environment = Environment(container);
            var listening = new SortedSet<long>();
            foreach (var (variable, value) in environment)
            {
                if (variable == "ASPNETCORE_HTTP_PORTS")
                {
                    listening.UnionWith(value.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(port => long.Parse(port, CultureInfo.InvariantCulture)));
                }
                else if (variable == "Management__Url" || (variable.StartsWith("Kestrel__Endpoints__", StringComparison.Ordinal) && variable.EndsWith("__Url", StringComparison.Ordinal)))
                {
                    listening.Add(Port(value));
                }
            }

            Assert.Equal(listening, new SortedSet<long>(ContainerPorts(container).Select(port => port.Number)));
            Assert.Contains(ContainerPorts(container), port => port is { Name: "http", Number: 8080 });
        }
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task EverySecretAndSettingAWorkloadReads_IsInTheRender(string directory)
    {
        var manifests = await KubernetesManifests.RenderAsync(directory);

        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var name = KubernetesManifests.Name(deployment);
            foreach (var container in Containers(deployment))
            {
                foreach (var source in container["envFrom"]?.AsArray() ?? [])
                {
                    var configMap = (string?)source!["configMapRef"]?["name"];
                    Assert.True(configMap is not null && manifests.Find("ConfigMap", configMap) is not null, $"{name} reads ConfigMap {configMap}, which is not rendered");
                }

                foreach (var variable in container["env"]!.AsArray())
                {
                    if (variable!["valueFrom"]?["secretKeyRef"] is not { } reference)
                    {
                        continue;
                    }

                    var secret = manifests.Find("Secret", (string)reference["name"]!);
                    Assert.True(secret is not null, $"{name} reads Secret {reference["name"]}, which is not rendered");
                    Assert.True(secret["data"]?[(string)reference["key"]!] is not null, $"Secret {reference["name"]} has no key {reference["key"]} for {name}");
                    // Keys are named for the setting they fill.
                    Assert.Equal((string?)variable["name"], (string?)reference["key"]);
                }
            }
        }
    }

    [Fact]
    public async Task BaseSecrets_HoldOnlyPlaceholders()
    {
        var manifests = await KubernetesManifests.RenderAsync("base");

        var values = manifests.OfKind("Secret").SelectMany(secret => secret["data"]!.AsObject()).ToList();
        Assert.NotEmpty(values);
        Assert.All(values, value =>
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(((string)value.Value!).Where(character => !char.IsWhiteSpace(character)))));
            Assert.Contains("CHANGE-ME", text, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task EveryServicePort_ReachesADeclaredPortOfThePodsItSelects(string directory)
    {
        var manifests = await KubernetesManifests.RenderAsync(directory);

        foreach (var service in manifests.OfKind("Service"))
        {
            var deployment = Assert.Single(manifests.OfKind("Deployment"), deployment => Selects(service["spec"]!["selector"]!.AsObject(), PodLabels(deployment)));
            var ports = Containers(deployment).SelectMany(ContainerPorts).ToList();
            foreach (var port in service["spec"]!["ports"]!.AsArray())
            {
                var target = port!["targetPort"];
                Assert.True(
                    ports.Any(declared => declared.Name == (string?)target || declared.Number == Int(target)),
                    $"{KubernetesManifests.Name(service)} port {port["name"]} targets {target}, which its pods do not declare");
                if ((string?)port["name"] == "xds")
                {
                    // gRPC over cleartext HTTP/2.
                    Assert.Equal("kubernetes.io/h2c", (string?)port["appProtocol"]);
                }
            }
        }

        var xds = Environment(Containers(manifests.Find("Deployment", "agentgateway-proxy")!).Single(), manifests)["Xds__Address"];
        var adminApi = manifests.Find("Service", "agentgateway-adminapi")!;
        Assert.Equal($"http://agentgateway-adminapi:{Int(adminApi["spec"]!["ports"]!.AsArray().Single(port => (string?)port!["name"] == "xds")!["port"])}", xds);
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task EveryWorkload_KeepsTwoReplicas_AndAnAutoscalerOwnsTheCountOfThoseItScales(string directory)
    {
        var manifests = await KubernetesManifests.RenderAsync(directory);

        foreach (var autoscaler in manifests.OfKind("HorizontalPodAutoscaler"))
        {
            var target = autoscaler["spec"]!["scaleTargetRef"]!;
            Assert.Equal("Deployment", (string?)target["kind"]);
            Assert.NotNull(manifests.Find("Deployment", (string)target["name"]!));
            Assert.True(Int(autoscaler["spec"]!["minReplicas"]) >= 2);
            Assert.True(Int(autoscaler["spec"]!["maxReplicas"]) >= Int(autoscaler["spec"]!["minReplicas"]));
        }

        var scaled = manifests.OfKind("HorizontalPodAutoscaler").Select(autoscaler => (string)autoscaler["spec"]!["scaleTargetRef"]!["name"]!).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("agentgateway-proxy", scaled);
        Assert.Contains("agentgateway-portal", scaled);
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var replicas = deployment["spec"]!["replicas"];
            if (scaled.Contains(KubernetesManifests.Name(deployment)))
            {
                // A replica count here would reset the autoscaler's on every apply.
                Assert.Null(replicas);
            }
            else
            {
                Assert.True(Int(replicas) >= 2, $"{KubernetesManifests.Name(deployment)} has {replicas} replicas");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task EveryWorkload_HasResources_SpreadsItsPods_AndGivesThemMoreGraceThanTheirDrainAndShutdown(string directory)
    {
        var manifests = await KubernetesManifests.RenderAsync(directory);

        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var name = KubernetesManifests.Name(deployment);
            var pod = PodSpec(deployment);
            foreach (var container in Containers(deployment))
            {
                foreach (var bound in new[] { "requests", "limits" })
                {
                    Assert.NotNull(container["resources"]?[bound]?["cpu"]);
                    Assert.NotNull(container["resources"]?[bound]?["memory"]);
                }

                // Chiseled images have no shell: a preStop exec hook could never run.
                Assert.Null(container["lifecycle"]?["preStop"]?["exec"]);

                var environment = Environment(container, manifests);
                // The proxy drains (Shutdown__DrainDelay, 5 s by default) and then gives requests Shutdown__Timeout (20 s by
                // default); other services stop within the host's shutdown timeout (30 s unless shortened).
                var drain = environment.TryGetValue("Shutdown__DrainDelay", out var delay) ? TimeSpan.Parse(delay, CultureInfo.InvariantCulture)
                    : name.Contains("proxy", StringComparison.Ordinal) ? TimeSpan.FromSeconds(5) : TimeSpan.Zero;
                var shutdown = environment.TryGetValue("Shutdown__Timeout", out var timeout) ? TimeSpan.Parse(timeout, CultureInfo.InvariantCulture)
                    : name.Contains("proxy", StringComparison.Ordinal) ? TimeSpan.FromSeconds(20)
                    : TimeSpan.FromSeconds(int.Parse(environment.GetValueOrDefault("DOTNET_SHUTDOWNTIMEOUTSECONDS", "30"), CultureInfo.InvariantCulture));
                var grace = TimeSpan.FromSeconds(Int(pod["terminationGracePeriodSeconds"]));
                Assert.True(drain + shutdown < grace, $"{name}: drain {drain} + shutdown {shutdown} do not fit in the grace period {grace}");
            }

            var spread = pod["topologySpreadConstraints"]!.AsArray();
            Assert.Contains(spread, constraint => (string?)constraint!["topologyKey"] == "kubernetes.io/hostname");
            Assert.All(spread, constraint => Assert.True(Selects(constraint!["labelSelector"]!["matchLabels"]!.AsObject(), PodLabels(deployment))));
        }
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public async Task BaseWorkload_RunsTheImageItsProjectPublishes_AndTheDemoOverlayTakesItFromItsRegistryAtATag(string workload, string repository)
    {
        var baseImage = (string?)Containers((await KubernetesManifests.RenderAsync("base")).Find("Deployment", workload)!).Single()["image"];
        var demoImage = (string?)Containers((await KubernetesManifests.RenderAsync("overlays/demo")).Find("Deployment", workload)!).Single()["image"];

        Assert.Equal($"{repository}:latest", baseImage);
        Assert.Equal($"registry.example.com/{repository}:1.0.0", demoImage);
    }

    private static JsonObject PodSpec(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!.AsObject();

    private static JsonObject PodLabels(JsonObject deployment) => deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

    private static IEnumerable<JsonObject> Containers(JsonObject deployment) => PodSpec(deployment)["containers"]!.AsArray().Select(container => container!.AsObject());

    private static IEnumerable<(string? Name, long Number)> ContainerPorts(JsonObject container) =>
        container["ports"]!.AsArray().Select(port => ((string?)port!["name"], Int(port["containerPort"])));

    /// <summary>The container's own variables with a value (not those from secrets or fields).</summary>
    private static Dictionary<string, string> Environment(JsonObject container) =>
        container["env"]!.AsArray()
            .Where(variable => variable!["value"] is not null)
            .ToDictionary(variable => (string)variable!["name"]!, variable => (string)variable!["value"]!, StringComparer.Ordinal);

    /// <summary>Its ConfigMaps' settings, then its own variables over them (as Kubernetes gives them).</summary>
    private static Dictionary<string, string> Environment(JsonObject container, KubernetesManifests manifests)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container["envFrom"]?.AsArray() ?? [])
        {
            if ((string?)source!["configMapRef"]?["name"] is { } name && manifests.Find("ConfigMap", name)?["data"] is JsonObject data)
            {
                foreach (var (key, value) in data)
                {
                    environment[key] = value!.ToString();
                }
            }
        }

        foreach (var (key, value) in Environment(container))
        {
            environment[key] = value;
        }

        return environment;
    }

    private static bool Selects(JsonObject selector, JsonObject labels) =>
        selector.Count > 0 && selector.All(pair => (string?)labels[pair.Key] == (string?)pair.Value);

    /// <summary>The port of a listener URL such as <c>http://+:15020</c>.</summary>
    private static long Port(string url) => BindingAddress.Parse(url).Port;

    private static long Int(JsonNode? node) => node switch
    {
        null => -1,
        JsonValue value when value.TryGetValue<long>(out var number) => number,
        JsonValue value when long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => -1,
    };
}
