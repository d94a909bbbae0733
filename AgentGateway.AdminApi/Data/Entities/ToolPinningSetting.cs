namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>What a route's proxies do with a tool whose definition no approved pin matches (stored as text).</summary>
internal enum ToolPinningSetting
{
    /// <summary>Leave it out of lists and refuse calls to it until a tenant admin approves it.</summary>
    Withhold = 0,

    /// <summary>List it and let it be called, marked in its <c>_meta</c>.</summary>
    Flag = 1,

    /// <summary>No pinning.</summary>
    Off = 2,
}
