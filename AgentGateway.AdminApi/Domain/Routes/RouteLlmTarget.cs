namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>One provider model that serves a model of an LLM route.</summary>
/// <param name="Provider">One of the route's providers.</param>
/// <param name="Model">The provider's name for the model; left out, the model's own name.</param>
/// <param name="Weight">Relative share within its priority (0-10000); left out or 0 takes 1.</param>
/// <param name="Priority">Lower first: targets of a higher number are tried only when every one of a lower number failed; left out, 0.</param>
public sealed record RouteLlmTarget(string? Provider, string? Model = null, int? Weight = null, int? Priority = null);
