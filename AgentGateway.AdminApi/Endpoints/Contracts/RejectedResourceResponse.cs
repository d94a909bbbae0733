namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A resource a proxy refuses while it serves the rest.</summary>
public sealed record RejectedResourceResponse(string Type, string Name, string Version, IReadOnlyList<string> Errors, bool PreviousServed);
