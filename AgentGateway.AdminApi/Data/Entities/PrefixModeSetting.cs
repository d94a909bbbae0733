namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>How a route prefixes federated names (stored as text).</summary>
internal enum PrefixModeSetting
{
    Conditional = 0,
    Always = 1,
    Never = 2,
}
