using System.Text.Json.Nodes;
using Catalog = AgentGateway.Contracts.Policies.Kinds.PolicyKinds;
using Targets = AgentGateway.Contracts.Policies.Kinds.PolicyTargets;

namespace AgentGateway.Portal.Components.Pages.Policies;

/// <summary>A policy kind as the Portal offers it: where it may attach, the route kinds it acts on and what its spec (a policies.proto message) says.</summary>
/// <param name="Message">The proto message its spec is, as JSON.</param>
/// <param name="HasForm">Whether the Portal has a form for it besides the JSON editor.</param>
internal sealed record PolicyKindInfo(
    string Name, string Title, string Message, string Summary, IReadOnlyList<string> Targets, bool HasForm, IReadOnlyList<string> RouteKinds)
{
    /// <summary>Whether it changes anything on routes of <paramref name="routeKind"/>.</summary>
    public bool AppliesTo(string routeKind) => RouteKinds.Contains(routeKind);
}

/// <summary>
/// The kinds AdminApi knows, read from the platform's catalog of policy kinds (<see cref="Catalog"/>), with the forms
/// the Portal has for them.
/// </summary>
internal static class PolicyKindCatalog
{
    public const string Tenant = Targets.Tenant;
    public const string Route = Targets.Route;
    public const string McpServer = Targets.McpServer;
    public const string AgentTarget = Targets.Agent;
    public const string LlmProviderTarget = Targets.LlmProvider;

    public const string JwtAuth = Catalog.JwtAuth;
    public const string McpAuthentication = Catalog.McpAuthentication;
    public const string ApiKeyAuth = Catalog.ApiKeyAuth;
    public const string ExtAuthz = Catalog.ExtAuthz;
    public const string Authorization = Catalog.Authorization;
    public const string McpAuthorization = Catalog.McpAuthorization;
    public const string BackendAuth = Catalog.BackendAuth;
    public const string BackendTls = Catalog.BackendTls;
    public const string RequestHeaders = Catalog.RequestHeaders;
    public const string ResponseHeaders = Catalog.ResponseHeaders;
    public const string Redirect = Catalog.Redirect;
    public const string UrlRewrite = Catalog.UrlRewrite;
    public const string DirectResponse = Catalog.DirectResponse;
    public const string Cors = Catalog.Cors;
    public const string Timeouts = Catalog.Timeouts;
    public const string Retry = Catalog.Retry;
    public const string Mirrors = Catalog.Mirrors;
    public const string LocalRateLimit = Catalog.LocalRateLimit;
    public const string RateLimit = Catalog.RateLimit;
    public const string A2aAuthorization = Catalog.A2aAuthorization;
    public const string LlmGuards = Catalog.LlmGuards;

    /// <summary>What a secret reference in an example names when the tenant has no secret yet.</summary>
    public const string ExampleSecret = "upstream-token";

    /// <summary>The kinds with a form of the Portal's own besides the JSON editor.</summary>
    private static readonly HashSet<string> s_withForms =
    [
        JwtAuth, McpAuthentication, ApiKeyAuth, BackendAuth, RequestHeaders, ResponseHeaders, Redirect, DirectResponse, Cors, Timeouts, Retry,
        LocalRateLimit, RateLimit,
    ];

    public static IReadOnlyList<PolicyKindInfo> All { get; } =
        [.. Catalog.All.Select(kind => new PolicyKindInfo(kind.Name, kind.Title, kind.Message, kind.Summary, kind.Targets, s_withForms.Contains(kind.Name), kind.RouteKinds))];

    public static PolicyKindInfo? Find(string? name) => All.FirstOrDefault(kind => kind.Name == name);

    public static string TargetTitle(string target) => target switch
    {
        Tenant => "The whole tenant",
        Route => "A route",
        AgentTarget => "An agent",
        LlmProviderTarget => "An LLM provider",
        _ => "An MCP server",
    };

    /// <summary>A valid spec of <paramref name="kind"/> to start from; secret references name the tenant's first secret.</summary>
    public static JsonObject Example(string kind, IReadOnlyList<string> secrets) =>
        Catalog.Find(kind)?.Example(secrets.Count > 0 ? secrets[0] : ExampleSecret) ?? [];
}
