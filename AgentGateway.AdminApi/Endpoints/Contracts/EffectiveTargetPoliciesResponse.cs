namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record EffectiveTargetPoliciesResponse(string Target, IReadOnlyList<EffectivePolicyResponse> Policies);
