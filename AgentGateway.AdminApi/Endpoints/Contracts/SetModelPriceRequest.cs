namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>Sets a model's price (platform admins); usage recorded from then on is priced with it.</summary>
/// <param name="InputPerMillion">The price of a million input tokens (0-1000000).</param>
/// <param name="OutputPerMillion">The price of a million output tokens (0-1000000).</param>
public sealed record SetModelPriceRequest(decimal? InputPerMillion, decimal? OutputPerMillion);
