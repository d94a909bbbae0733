using Google.Protobuf;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>
/// One resolved part of a route's policies: the spec that applies (a copy the caller may change) and where it came
/// from — the policy that supplied it, and the role bindings whose rules were added to it.
/// </summary>
internal sealed record EffectivePolicy(string Kind, ParsedPolicy? Source, IMessage Spec, IReadOnlyList<string> RoleBindings);
