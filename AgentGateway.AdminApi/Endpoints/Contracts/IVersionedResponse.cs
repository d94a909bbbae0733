namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A response that is one stored resource: its version is the ETag the response carries.</summary>
public interface IVersionedResponse
{
    /// <summary>The resource's row version, which changes with every write.</summary>
    string Version { get; }
}
