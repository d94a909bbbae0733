using System.Text.Json;

namespace AgentGateway.Portal.Services;

public sealed record Me(string Username, string? Email, bool IsPlatformAdmin, IReadOnlyList<MyTenant> Tenants, string? Subject = null)
{
    /// <summary>The caller's role in <paramref name="tenant"/> (platform admins are owners of every tenant); null when not a member.</summary>
    public string? RoleIn(string tenant) => IsPlatformAdmin ? TenantRoles.Owner : Tenants.FirstOrDefault(candidate => candidate.Name == tenant)?.Role;

    /// <summary>Whether the caller's role in <paramref name="tenant"/> is <paramref name="minimum"/> or above.</summary>
    public bool Allows(string tenant, string minimum) => TenantRoles.Rank(RoleIn(tenant)) >= TenantRoles.Rank(minimum);
}

public sealed record MyTenant(string Name, string DisplayName, string Role);

/// <param name="AllowProxyIdentity">Whether the tenant's backend auth may use the proxy's own cloud identity.</param>
public sealed record TenantInfo(
    string Name, string DisplayName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version, bool AllowProxyIdentity = false, bool AuditArguments = false);

public sealed record McpServerInfo(
    string Name, string? Description, string Transport, string Url, Dictionary<string, string> Headers,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version,
    string? Command = null, IReadOnlyList<string>? Args = null, IReadOnlyList<string>? EnvNames = null, string? WorkingDirectory = null);

public sealed record NewMcpServer(
    string Name, string? Description, string Transport, string? Url, Dictionary<string, string> Headers,
    string? Command = null, IReadOnlyList<string>? Args = null, Dictionary<string, string>? Env = null, string? WorkingDirectory = null);

/// <summary>
/// An MCP server to register from its MCP registry description: given (<paramref name="Server"/>) or by its name in
/// a registry the platform trusts; <paramref name="Values"/> go to the description's URL variables, headers and
/// environment variables of those names.
/// </summary>
public sealed record McpServerImport(
    string? Name, System.Text.Json.JsonElement? Server, string? RegistryName, Dictionary<string, string> Variables, Dictionary<string, string> Headers,
    Dictionary<string, string> Env);

/// <summary>A route as AdminApi returns it; the fields of other kinds than its own are empty.</summary>
/// <param name="Path">The exact path (MCP and A2A routes always have one; an HTTP route has one of path, pathPrefix and pathRegex).</param>
/// <param name="Endpoint">The URL clients call; null for a regex route.</param>
/// <param name="Kind">'mcp', 'http' or 'a2a'.</param>
/// <param name="Agent">A2A routes: the name of the tenant's agent.</param>
/// <param name="Providers">LLM routes: the catalog providers it serves from.</param>
/// <param name="Models">LLM routes: the models clients may name (empty: any model, from the first provider).</param>
public sealed record RouteInfo(
    string Name, string? Path, IReadOnlyList<string> Targets, string PrefixMode, string? Endpoint,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version, string FailureMode = "open", int? TargetTimeoutMs = null,
    string ToolPinning = "withhold", string Kind = RouteKinds.Mcp, string? PathPrefix = null, string? PathRegex = null,
    IReadOnlyList<string>? Hosts = null, IReadOnlyList<string>? Methods = null, IReadOnlyList<RouteCondition>? Headers = null,
    IReadOnlyList<RouteCondition>? Query = null, IReadOnlyList<RouteDestination>? Destinations = null,
    RouteActiveHealthCheck? ActiveHealthCheck = null, RoutePassiveHealthCheck? PassiveHealthCheck = null, bool PreserveHost = false,
    string? Agent = null, IReadOnlyList<string>? Providers = null, IReadOnlyList<RouteLlmModel>? Models = null, RouteStatus? Status = null);

/// <summary>Whether a route reaches traffic: 'served', 'pending' (not in the proxies' config yet) or 'refused' (see the problems).</summary>
public sealed record RouteStatus(string State, IReadOnlyList<RouteProblem> Problems)
{
    public const string Refused = "refused";
    public const string Pending = "pending";
}

/// <summary>Why a route does not reach traffic: the control plane left it out, or a proxy refused it (perhaps serving its previous version).</summary>
public sealed record RouteProblem(string Source, string Message, bool PreviousServed);

/// <summary>A host a tenant holds; granted: the tenant's routes may take any path on it.</summary>
/// <param name="Tenant">The holder, in the platform-wide list; null in a tenant's own.</param>
public sealed record HostClaimInfo(
    string Host, string? Tenant, bool Granted, string ClaimedBy, DateTimeOffset ClaimedAt, string? AssignedBy, DateTimeOffset? AssignedAt, IReadOnlyList<string> Routes);

/// <summary>A model clients of an LLM route name, and the provider models that serve it.</summary>
public sealed record RouteLlmModel(string Name, IReadOnlyList<RouteLlmTarget> Targets);

/// <summary>A provider model serving a model of an LLM route; null model: the model's own name; lower priority first, weight within it.</summary>
public sealed record RouteLlmTarget(string Provider, string? Model = null, int? Weight = null, int? Priority = null);

/// <summary>A header or query parameter condition: with neither exact nor regex the header or parameter need only be present.</summary>
public sealed record RouteCondition(string Name, string? Exact = null, string? Regex = null, bool Invert = false);

/// <summary>One upstream of an HTTP route; a weight of null or 0 takes 1.</summary>
public sealed record RouteDestination(string Name, string Url, int? Weight = null);

/// <summary>Probes of every destination of an HTTP route; null or 0 takes the default. Enabled false removes it in an update.</summary>
public sealed record RouteActiveHealthCheck(
    string Path, int? IntervalMs = null, int? TimeoutMs = null, int? UnhealthyThreshold = null, int? HealthyThreshold = null,
    IReadOnlyList<int>? ExpectedStatuses = null, bool? Enabled = null)
{
    public static readonly RouteActiveHealthCheck Off = new(string.Empty, Enabled: false);
}

/// <summary>Ejection of a destination after consecutive failed requests; null or 0 takes the default. Enabled false removes it in an update.</summary>
public sealed record RoutePassiveHealthCheck(int? ConsecutiveFailures = null, int? EjectionMs = null, bool? Enabled = null)
{
    public static readonly RoutePassiveHealthCheck Off = new(Enabled: false);
}

/// <summary>A new route: MCP routes take targets, HTTP routes destinations, A2A routes an agent, LLM routes providers and models.</summary>
public sealed record NewRoute(
    string Name, string? Path, IReadOnlyList<string>? Targets, string? PrefixMode, string? FailureMode = null, int? TargetTimeoutMs = null,
    string? ToolPinning = null, string? Kind = null, string? PathPrefix = null, string? PathRegex = null, IReadOnlyList<string>? Hosts = null,
    IReadOnlyList<string>? Methods = null, IReadOnlyList<RouteCondition>? Headers = null, IReadOnlyList<RouteCondition>? Query = null,
    IReadOnlyList<RouteDestination>? Destinations = null, RouteActiveHealthCheck? ActiveHealthCheck = null,
    RoutePassiveHealthCheck? PassiveHealthCheck = null, bool? PreserveHost = null, string? Agent = null,
    IReadOnlyList<string>? Providers = null, IReadOnlyList<RouteLlmModel>? Models = null);

/// <summary>
/// A route's new settings. Null keeps a value; an empty list clears a list. One of path, pathPrefix and pathRegex
/// changes the path (none keeps it).
/// </summary>
public sealed record RouteUpdate(
    string? Path, IReadOnlyList<string>? Targets, string? PrefixMode, string? FailureMode, int? TargetTimeoutMs, string? ToolPinning,
    string? Kind = null, string? PathPrefix = null, string? PathRegex = null, IReadOnlyList<string>? Hosts = null,
    IReadOnlyList<string>? Methods = null, IReadOnlyList<RouteCondition>? Headers = null, IReadOnlyList<RouteCondition>? Query = null,
    IReadOnlyList<RouteDestination>? Destinations = null, RouteActiveHealthCheck? ActiveHealthCheck = null,
    RoutePassiveHealthCheck? PassiveHealthCheck = null, bool? PreserveHost = null, string? Agent = null,
    IReadOnlyList<string>? Providers = null, IReadOnlyList<RouteLlmModel>? Models = null);

public sealed record RouteTools(string Route, string Endpoint, IReadOnlyList<RouteTool> Tools, IReadOnlyList<TargetError> Errors);

public sealed record RouteTool(string Name, string Target, string? Title, string? Description, JsonElement InputSchema);

public sealed record TargetError(string Target, string Message);

public sealed record AuditEntryInfo(
    Guid Id, DateTimeOffset OccurredAt, string Actor, string Action, string EntityType, string EntityName,
    JsonElement? Before, JsonElement? After, string? RequestId);

/// <summary>A member; <paramref name="Subject"/> is null while the invitation of the name waits for its first sign-in.</summary>
public sealed record MemberInfo(string Username, string Role, DateTimeOffset CreatedAt, string? Subject = null);

/// <summary>An A2A agent of the tenant's catalog, with what its card said when last fetched.</summary>
/// <param name="Card">Null when the card has never been fetched successfully.</param>
/// <param name="CardError">Why the last refresh failed; null after a successful fetch.</param>
/// <param name="Routes">The A2A routes that expose the agent.</param>
public sealed record AgentInfo(
    string Name, string Url, string? CardUrl, string? Description, AgentCardInfo? Card, DateTimeOffset? CardFetchedAt, string? CardError,
    IReadOnlyList<string> Routes, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

/// <param name="Name">The agent's own name, from its card.</param>
public sealed record AgentCardInfo(
    string Name, string? Description, string? Version, string? ProtocolVersion, IReadOnlyList<AgentSkillInfo> Skills, AgentCapabilitiesInfo Capabilities);

public sealed record AgentSkillInfo(string Id, string Name, string? Description, IReadOnlyList<string> Tags, IReadOnlyList<string> Examples);

public sealed record AgentCapabilitiesInfo(bool Streaming, bool PushNotifications);

/// <summary>Registers an agent; AdminApi fetches its card at once and refuses one it cannot read.</summary>
public sealed record NewAgent(string Name, string Url, string? CardUrl, string? Description);

public sealed record AgentUpdate(string Url, string? CardUrl, string? Description);

/// <summary>An LLM provider of the tenant's catalog.</summary>
/// <param name="Kind">'openai' (and every server that speaks its API), 'azure-openai', 'anthropic', 'gemini', 'bedrock' or 'vertex-ai'.</param>
/// <param name="TimeoutMs">How long one try may take to answer; null takes 300000.</param>
/// <param name="Routes">The LLM routes that serve from it.</param>
/// <param name="NativeResponses">OpenAI and Azure OpenAI: the provider serves the Responses API itself.</param>
public sealed record LlmProviderInfo(
    string Name, string Kind, string Url, int? TimeoutMs, string? Description, IReadOnlyList<string> Routes, string? ApiVersion, bool NativeResponses,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

/// <param name="ApiVersion">Azure OpenAI only: its deployments API's api-version; null takes the default.</param>
/// <param name="NativeResponses">OpenAI and Azure OpenAI only: Responses requests go to the provider's own Responses API.</param>
public sealed record NewLlmProvider(string Name, string Kind, string Url, int? TimeoutMs, string? Description, string? ApiVersion = null, bool NativeResponses = false);

public sealed record LlmProviderUpdate(string Kind, string Url, int? TimeoutMs, string? Description, string? ApiVersion = null, bool NativeResponses = false)
{
    /// <summary>The update that leaves <paramref name="provider"/> as it is but for what the caller changes.</summary>
    public static LlmProviderUpdate Of(LlmProviderInfo provider) =>
        new(provider.Kind, provider.Url, provider.TimeoutMs, provider.Description, provider.ApiVersion, provider.NativeResponses);
}

/// <summary>The LLM provider kinds, as AdminApi names them.</summary>
public static class LlmProviderKinds
{
    public const string OpenAi = "openai";
    public const string AzureOpenAi = "azure-openai";
    public const string Anthropic = "anthropic";
    public const string Gemini = "gemini";
    public const string Bedrock = "bedrock";
    public const string VertexAi = "vertex-ai";

    public static string Title(string? kind) => kind switch
    {
        Anthropic => "Anthropic Messages",
        Gemini => "Google Gemini",
        Bedrock => "AWS Bedrock (Converse)",
        VertexAi => "Google Vertex AI (Gemini and Claude)",
        AzureOpenAi => "Azure OpenAI (deployments)",
        _ => "OpenAI-compatible",
    };
}

/// <summary>A tenant's LLM usage over a period: totals, the buckets, and each group's points (one per bucket).</summary>
public sealed record LlmUsageInfo(
    DateTimeOffset From, DateTimeOffset To, string Interval, string GroupBy, string Currency, LlmUsageTotalsInfo Totals,
    IReadOnlyList<DateTimeOffset> Buckets, IReadOnlyList<LlmUsageGroupInfo> Groups);

public sealed record LlmUsageGroupInfo(string Key, LlmUsageTotalsInfo Totals, IReadOnlyList<LlmUsageTotalsInfo> Points);

/// <param name="UnpricedRequests">Requests whose model had no price (not in the cost).</param>
public sealed record LlmUsageTotalsInfo(long Requests, long InputTokens, long OutputTokens, decimal Cost, long UnpricedRequests);

public sealed record LlmUsageRecordInfo(
    DateTimeOffset At, string Route, string? ApiKey, string? Subject, string Model, string Provider, string ProviderModel,
    long InputTokens, long OutputTokens, bool Estimated, decimal? Cost, int DurationMs, int? TimeToFirstTokenMs, string Outcome, string Api);

public sealed record ModelPriceInfo(string Model, decimal InputPerMillion, decimal OutputPerMillion, string Currency, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>One call a proxy served: an MCP tool call, prompt get or resource read; an A2A operation; an LLM request.</summary>
public sealed record CallRecordInfo(
    Guid Id, DateTimeOffset At, string Route, string Kind, string Operation, string Target, string? Upstream, string? Caller, string Outcome,
    int Code, string? Error, int DurationMs, long InputTokens, long OutputTokens, string? TraceId, string? Arguments, decimal? Cost = null);

/// <summary>Calls over a period per group, in buckets.</summary>
public sealed record CallSummaryInfo(
    DateTimeOffset From, DateTimeOffset To, string Interval, string GroupBy, CallTotalsInfo Totals, IReadOnlyList<DateTimeOffset> Buckets,
    IReadOnlyList<CallGroupInfo> Groups, IReadOnlyList<CallTotalsInfo>? Points = null);

public sealed record CallGroupInfo(string Key, CallTotalsInfo Totals, IReadOnlyList<CallTotalsInfo> Points);

public sealed record CallTotalsInfo(long Calls, long Errors, double? P50Ms, double? P99Ms, long InputTokens, long OutputTokens, decimal Cost = 0);

/// <summary>What the call list and its charts are narrowed to; a field left empty does not narrow it.</summary>
public sealed record CallFilter(
    string? Route = null, string? Target = null, string? Caller = null, string? Outcome = null, string? Kind = null, string? Operation = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>What the audit log is narrowed to; a field left empty does not narrow it.</summary>
public sealed record AuditFilter(
    string? Actor = null, string? Type = null, string? Resource = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>What applying a config document changed, or (a dry run) would change.</summary>
public sealed record ConfigApplyResult(bool DryRun, bool Applied, long? Revision, IReadOnlyList<ConfigChangeInfo> Changes);

/// <summary>One item's change: create, update (with its fields) or delete.</summary>
public sealed record ConfigChangeInfo(string Section, string Name, string Action, IReadOnlyList<ConfigFieldChangeInfo> Fields);

/// <summary>A changed field, its value before and after (null when absent).</summary>
public sealed record ConfigFieldChangeInfo(string Path, System.Text.Json.Nodes.JsonNode? Before, System.Text.Json.Nodes.JsonNode? After);

/// <summary>A user's authorization of a tenant's backend (a backend-auth policy with userOauth); its tokens are never shown.</summary>
public sealed record UserConnectionInfo(
    Guid Id, string Tenant, string Policy, string Subject, string Username, string Scopes, DateTimeOffset? ExpiresAt, bool Refreshable,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Where the user's browser goes to authorize a backend.</summary>
public sealed record ConnectionAuthorization(Uri AuthorizationUrl);
