namespace AgentGateway.AdminApi.Domain.Agents;

public sealed record AgentCapabilitiesResponse(bool Streaming, bool PushNotifications);
