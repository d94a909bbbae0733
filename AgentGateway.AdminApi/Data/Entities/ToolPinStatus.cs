namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>Whether a tool pin waits for a tenant admin (stored as text).</summary>
internal enum ToolPinStatus
{
    /// <summary>The approved definition is the one proxies see.</summary>
    Approved = 0,

    /// <summary>A definition was seen that is not approved: new with hidden-instruction findings, or changed.</summary>
    Pending = 1,
}
