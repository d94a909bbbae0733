namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>What a model's tokens cost (in <see cref="Currency"/>), platform-wide.</summary>
public sealed record ModelPriceResponse(string Model, decimal InputPerMillion, decimal OutputPerMillion, string Currency, DateTimeOffset UpdatedAt, string UpdatedBy);
