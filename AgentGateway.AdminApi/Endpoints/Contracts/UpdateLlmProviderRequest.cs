namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>Changes a provider (honours If-Match); every field is replaced.</summary>
public sealed record UpdateLlmProviderRequest(string? Kind, string? Url, int? TimeoutMs = null, string? Description = null, string? ApiVersion = null, bool? NativeResponses = null);
