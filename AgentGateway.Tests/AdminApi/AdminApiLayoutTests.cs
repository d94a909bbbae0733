using AgentGateway.AdminApi.Data;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.AdminApi;

/// <summary>
/// AdminApi's folders depend inward only: the data model at the centre, then what is not HTTP (the domain), then what
/// proxies talk to (the control plane), then the REST endpoints, then the wiring. Nothing below the endpoints uses
/// them, and the data model uses none of the others. Read from the compiled assembly, so no reference hides in a
/// fully qualified name.
/// </summary>
public sealed class AdminApiLayoutTests
{
    /// <summary>The layers, inner first; a type may use its own layer's types and those of inner layers.</summary>
    private static readonly (string Namespace, int Layer)[] s_layers =
    [
        ("AgentGateway.AdminApi.Data", 0),
        ("AgentGateway.AdminApi.Domain", 1),
        ("AgentGateway.AdminApi.ControlPlane", 2),
        ("AgentGateway.AdminApi.Endpoints", 3),
        ("AgentGateway.AdminApi.Hosting", 4),
    ];

    [Fact]
    public void EveryFolder_DependsOnlyOnItselfAndInnerLayers()
    {
        var violations = new List<string>();
        foreach (var (type, used) in TypeReferences.Within(typeof(AdminDbContext).Assembly))
        {
            if (Place(type) is not { } from)
            {
                continue;
            }

            foreach (var target in used)
            {
                if (Place(target) is { } to && to.Layer > from.Layer)
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
        var outside = typeof(AdminDbContext).Assembly.GetTypes()
            .Where(type => type.DeclaringType is null && type.Namespace?.StartsWith("AgentGateway.AdminApi", StringComparison.Ordinal) == true && Place(type) is null)
            .Select(type => type.FullName!)
            .ToList();
        Assert.Empty(outside);
    }

    /// <summary>The layer a type belongs to: its folder and rank.</summary>
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
                return (prefix, layer);
            }
        }

        return null;
    }
}
