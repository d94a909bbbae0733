using AgentGateway.Proxy.Pipeline;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy;

/// <summary>
/// The proxy's folders depend inward only: telemetry and wire formats at the centre, then upstream plumbing, then the
/// request pipeline, then the route kinds (which never use one another), then where config comes from, then hosting.
/// Read from the compiled assembly, so no reference hides in a fully qualified name.
/// </summary>
public sealed class ProxyLayoutTests
{
    /// <summary>The layers, inner first; a type may use its own folder's types and those of inner layers.</summary>
    private static readonly (string Namespace, int Layer)[] s_layers =
    [
        ("AgentGateway.Proxy.Telemetry", 0),
        ("AgentGateway.Proxy.Protocols", 1),
        ("AgentGateway.Proxy.Limits", 1),
        ("AgentGateway.Proxy.Upstream", 2),
        ("AgentGateway.Proxy.Pipeline", 3),
        ("AgentGateway.Proxy.Kinds", 4),
        ("AgentGateway.Proxy.Config", 5),
        ("AgentGateway.Proxy.Hosting", 6),
    ];

    [Fact]
    public void EveryFolder_DependsOnlyOnItselfAndInnerLayers_AndNoRouteKindOnAnother()
    {
        var assembly = typeof(RoutePolicyPipeline).Assembly;
        var violations = new List<string>();
        foreach (var (type, used) in TypeReferences.Within(assembly))
        {
            if (Place(type) is not { } from)
            {
                continue;
            }

            foreach (var target in used)
            {
                if (Place(target) is { } to && !Allowed(from, to))
                {
                    violations.Add($"{type.FullName} ({from.Folder}) uses {target.FullName} ({to.Folder})");
                }
            }
        }

        Assert.True(violations.Count == 0, "Dependencies that point outward:\n" + string.Join('\n', violations.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void EveryType_LivesInAFolderOfTheLayout()
    {
        var assembly = typeof(RoutePolicyPipeline).Assembly;
        var outside = assembly.GetTypes()
            .Where(type => type.DeclaringType is null && type.Namespace?.StartsWith("AgentGateway.Proxy", StringComparison.Ordinal) == true && Place(type) is null)
            .Select(type => type.FullName!)
            .ToList();
        Assert.Empty(outside);
    }

    private static bool Allowed((string Folder, int Layer) from, (string Folder, int Layer) to) =>
        from.Folder == to.Folder || to.Layer < from.Layer;

    /// <summary>The folder a type belongs to for the rule (a route kind's own folder, else its layer's) and its layer.</summary>
    private static (string Folder, int Layer)? Place(Type type)
    {
        if (type.Namespace is null)
        {
            // Program: the top.
            return type.Name == "Program" ? ("Program", int.MaxValue) : null;
        }

        foreach (var (prefix, layer) in s_layers)
        {
            if (type.Namespace == prefix || type.Namespace.StartsWith(prefix + ".", StringComparison.Ordinal))
            {
                var folder = prefix.EndsWith(".Kinds", StringComparison.Ordinal) && type.Namespace.Length > prefix.Length
                    ? string.Join('.', type.Namespace.Split('.').Take(4))
                    : prefix;
                return (folder, layer);
            }
        }

        return null;
    }
}
