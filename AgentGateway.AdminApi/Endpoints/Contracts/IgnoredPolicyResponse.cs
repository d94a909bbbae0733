namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A policy attached to a route that changes nothing on the route's kind: not sent to proxies.</summary>
public sealed record IgnoredPolicyResponse(string Kind, string Policy, string Reason);
