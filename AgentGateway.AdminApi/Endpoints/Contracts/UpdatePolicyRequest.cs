using System.Text.Json;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Kind">Left out, the policy keeps its kind.</param>
public sealed record UpdatePolicyRequest(string? Kind, string? Description, PolicyTargetRef? TargetRef, JsonElement? Spec);
