namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>The backend policies resolved for one target of a route.</summary>
internal sealed record EffectiveTarget(string Target, EffectivePolicy? Auth, EffectivePolicy? Tls);
