using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts.Policies.Kinds;
using Google.Protobuf;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>A stored policy with its spec read back as its kind's message.</summary>
internal sealed record ParsedPolicy(Policy Entity, PolicyKind Kind, IMessage Spec)
{
    /// <summary>Reads a stored policy; null when its kind is unknown or its spec no longer parses.</summary>
    public static ParsedPolicy? From(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (PolicyKinds.Find(policy.Kind) is not { } kind)
        {
            return null;
        }

        var errors = new List<AgentGateway.Contracts.ConfigError>();
        var spec = kind.Parse(System.Text.Json.JsonSerializer.SerializeToElement(policy.Spec), "spec", errors);
        return errors.Count == 0 ? new ParsedPolicy(policy, kind, spec) : null;
    }

    /// <summary>A copy of the spec, to change without touching this one.</summary>
    public IMessage CloneSpec() => Spec.Descriptor.Parser.ParseFrom(Spec.ToByteString());
}
