namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>A model clients of an LLM route name, and the provider models that serve it.</summary>
/// <param name="Name">What clients send as "model": an alias, or the provider's own name (1-256 characters).</param>
/// <param name="Targets">At least one; tried in priority order, weighted within a priority, failing over before any byte reached the client.</param>
public sealed record RouteLlmModel(string? Name, List<RouteLlmTarget>? Targets);
