namespace AgentGateway.AdminApi.Domain.Audit;

/// <summary>The words the audit log records: its actions and the types of what it records changes to.</summary>
internal static class AuditNames
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";

    public static readonly IReadOnlySet<string> Actions = new HashSet<string>(StringComparer.Ordinal) { Created, Updated, Deleted };

    public static readonly IReadOnlySet<string> EntityTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "tenant", "member", "mcp-server", "route", "agent", "llm-provider", "model-price", "session-key", "secret", "policy", "api-key", "role",
        "role-binding", "tool-pin", "egress-allow-rule", "host-claim", "user-connection",
    };
}
