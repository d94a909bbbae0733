namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>What a route's lists do when a target fails (stored as text).</summary>
internal enum FailureModeSetting
{
    /// <summary>Leave the failing target out.</summary>
    Open = 0,

    /// <summary>Fail the whole list.</summary>
    Closed = 1,
}
