using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain.Agents;
using AgentGateway.AdminApi.Domain.Connections;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.AdminApi.Domain.Secrets;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.ControlPlane.Xds;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>The JSON a tenant's config document is read and written with.</summary>
internal static class ConfigJson
{
    /// <summary>
    /// camelCase, no nulls; a field no item of its section has is an error (a misspelt field is not ignored, and a name
    /// is one field only as it is written: <c>Name</c> is not <c>name</c>).
    /// </summary>
    public static readonly JsonSerializerOptions Strict = new(JsonSerializerOptions.Web)
    {
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static readonly JsonSerializerOptions Indented = new(JsonSerializerOptions.Web) { WriteIndented = true };

    /// <summary>
    /// <paramref name="node"/> without what says nothing (nulls, empty lists and mappings), so that an item written by
    /// hand and the same item read back compare equal.
    /// </summary>
    public static JsonNode? Lean(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                var lean = new JsonObject();
                foreach (var (key, value) in map)
                {
                    if (Lean(value) is { } kept)
                    {
                        lean[key] = kept;
                    }
                }

                return lean.Count == 0 ? null : lean;
            case JsonArray list:
                return list.Count == 0 ? null : new JsonArray([.. list.Select(item => Lean(item) ?? JsonValue.Create((string?)null))]);
            default:
                return node?.DeepClone();
        }
    }
}

/// <summary>What an item's write runs with: the apply's request, the caller's grant in the tenant, its services.</summary>
internal sealed class ConfigScope(HttpContext context, TenantGrant grant, CancellationToken cancellationToken)
{
    public TenantGrant Grant => grant;

    public string Tenant => grant.Tenant.Name;

    public ClaimsPrincipal User => context.User;

    public CancellationToken CancellationToken => cancellationToken;

    public AdminDbContext Db => Get<AdminDbContext>();

    /// <summary>
    /// The HTTP context the handlers check <c>If-Match</c> on: none of the document's items carries one (the apply's
    /// transaction holds the config still).
    /// </summary>
    public HttpContext Plain { get; } = new DefaultHttpContext { RequestServices = context.RequestServices, User = context.User };

    public T Get<T>() where T : notnull => context.RequestServices.GetRequiredService<T>();
}

/// <summary>
/// One section of a tenant's config document: how its items are read (the REST list's items, cut to the fields its
/// create endpoint takes, without what ties them to their tenant where that is a default: <paramref name="portable"/>)
/// and written (by that endpoint's own handlers).
/// </summary>
internal sealed class ConfigSection(
    string key,
    Type createType,
    Func<ConfigScope, Task<IEnumerable<object>>> list,
    Func<ConfigScope, string, JsonObject, Task<IResult>> create,
    Func<ConfigScope, string, JsonObject, Task<IResult>> update,
    Func<ConfigScope, string, Task<IResult>> delete,
    Action<ConfigScope, JsonObject>? portable = null,
    string? unseen = null)
{
    private readonly HashSet<string> _fields = [.. createType.GetProperties().Select(property => JsonNamingPolicy.CamelCase.ConvertName(property.Name))];

    /// <summary>The section's key in the document: <c>routes</c>, <c>llmProviders</c>, ...</summary>
    public string Key => key;

    /// <summary>The field of its items that is written but never read back (it may hold secrets), if it has one.</summary>
    public string? Unseen => unseen;

    /// <summary>The section's items in the tenant, by name, as the document has them.</summary>
    public async Task<SortedDictionary<string, JsonObject>> ReadAsync(ConfigScope scope)
    {
        var items = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var item in await list(scope))
        {
            var json = (JsonObject)JsonSerializer.SerializeToNode(item, item.GetType(), JsonSerializerOptions.Web)!;
            var kept = new JsonObject();
            foreach (var (field, value) in json.Where(field => _fields.Contains(field.Key)))
            {
                kept[field] = value?.DeepClone();
            }

            portable?.Invoke(scope, kept);
            items[(string)json["name"]!] = (JsonObject)(ConfigJson.Lean(kept) ?? kept);
        }

        return items;
    }

    /// <summary>
    /// The write that makes the tenant's item <paramref name="name"/> (now <paramref name="current"/>, or none) the
    /// document's <paramref name="item"/>: null when it already is, or when <paramref name="problem"/> says why the item
    /// cannot be read.
    /// </summary>
    public Func<Task<IResult>>? Write(ConfigScope scope, string name, JsonObject item, JsonObject? current, out string? problem)
    {
        problem = null;
        object? request;
        try
        {
            request = item.Deserialize(createType, ConfigJson.Strict);
        }
        catch (JsonException exception)
        {
            problem = $"is not a valid item of {key}: {exception.Message}";
            return null;
        }

        var desired = ConfigJson.Lean(JsonSerializer.SerializeToNode(request, createType, ConfigJson.Strict));
        if (current is not null && JsonNode.DeepEquals(desired, current) && (unseen is null || item[unseen] is null))
        {
            return null;
        }

        return current is null ? () => create(scope, name, item) : () => update(scope, name, item);
    }

    public Task<IResult> DeleteAsync(ConfigScope scope, string name) => delete(scope, name);
}

/// <summary>
/// The sections of a tenant's config document, in the order they are applied (what an item names comes before it:
/// secrets before the policies that use them, servers, agents and providers before routes, roles before bindings,
/// routes before the policies and bindings that target them); deletions go in the reverse order.
/// </summary>
internal static class TenantConfigSections
{
    public static readonly ConfigSection Secrets = new(
        "secrets", typeof(SecretConfigItem),
        async scope => (await SecretsApi.ListSecrets(scope.Grant, scope.Db, scope.CancellationToken)).Value!,
        (scope, name, item) => PutSecretAsync(scope, name, item, exists: false),
        (scope, name, item) => PutSecretAsync(scope, name, item, exists: true),
        async (scope, name) => await SecretsApi.DeleteSecret(name, scope.Grant, scope.Db, scope.CancellationToken),
        unseen: "value");

    public static readonly ConfigSection McpServers = new(
        "mcpServers", typeof(CreateMcpServerRequest),
        async scope => (await McpServersApi.ListServers(scope.Grant, scope.Db, scope.CancellationToken)).Value!,
        async (scope, name, item) => await McpServersApi.CreateServer(
            scope.Tenant, Read<CreateMcpServerRequest>(item), scope.User, scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name, item) => await McpServersApi.UpdateServer(
            name, await KeepEnvAsync(scope, name, Read<UpdateMcpServerRequest>(item)), scope.User, scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Plain,
            scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name) => await McpServersApi.DeleteServer(name, scope.Grant, scope.Db, scope.CancellationToken),
        unseen: "env");

    public static readonly ConfigSection Agents = new(
        "agents", typeof(CreateAgentRequest),
        async scope => (await AgentsApi.ListAgents(scope.Grant, scope.Db, scope.CancellationToken)).Value!,
        async (scope, name, item) => await AgentsApi.CreateAgent(
            scope.Tenant, Read<CreateAgentRequest>(item), scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Get<AgentCardFetcher>(), scope.Get<TimeProvider>(),
            scope.CancellationToken),
        async (scope, name, item) => await AgentsApi.UpdateAgent(
            name, Read<UpdateAgentRequest>(item), scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Get<AgentCardFetcher>(), scope.Plain, scope.Get<TimeProvider>(),
            scope.CancellationToken),
        async (scope, name) => await AgentsApi.DeleteAgent(name, scope.Grant, scope.Db, scope.CancellationToken));

    public static readonly ConfigSection LlmProviders = new(
        "llmProviders", typeof(CreateLlmProviderRequest),
        async scope => (await LlmProvidersApi.ListProviders(scope.Grant, scope.Db, scope.CancellationToken)).Value!,
        async (scope, name, item) => await LlmProvidersApi.CreateProvider(
            scope.Tenant, Read<CreateLlmProviderRequest>(item), scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name, item) => await LlmProvidersApi.UpdateProvider(
            name, Read<UpdateLlmProviderRequest>(item), scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Plain, scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name) => await LlmProvidersApi.DeleteProvider(name, scope.Grant, scope.Db, scope.CancellationToken));

    public static readonly ConfigSection Routes = new(
        "routes", typeof(CreateRouteRequest),
        async scope => (await RoutesApi.ListRoutes(scope.Grant, scope.Db, scope.Get<IOptions<ProxyOptions>>(), scope.Get<RouteStatuses>(), scope.CancellationToken)).Value!,
        async (scope, name, item) => await RoutesApi.CreateRoute(
            scope.Tenant, Read<CreateRouteRequest>(item), scope.User, scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Get<IOptions<ProxyOptions>>(),
            scope.Get<RouteStatuses>(), scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name, item) => await RoutesApi.UpdateRoute(
            scope.Tenant, name, Read<UpdateRouteRequest>(item), scope.User, scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Get<IOptions<ProxyOptions>>(),
            scope.Get<RouteStatuses>(), scope.Plain, scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name) => await RoutesApi.DeleteRoute(name, scope.Grant, scope.Db, scope.CancellationToken),
        static (scope, route) =>
        {
            // A route's default path (/{tenant}/{name}) is left out, so the document applies to another tenant too.
            foreach (var field in (ReadOnlySpan<string>)["path", "pathPrefix"])
            {
                if ((string?)route[field] == $"/{scope.Tenant}/{(string?)route["name"]}")
                {
                    route.Remove(field);
                }
            }
        });

    public static readonly ConfigSection Roles = new(
        "roles", typeof(CreateRoleRequest),
        async scope => (await RolesApi.ListRoles(scope.Grant, scope.Db, scope.CancellationToken)).Value!,
        async (scope, name, item) => await RolesApi.CreateRole(scope.Tenant, Read<CreateRoleRequest>(item), scope.Grant, scope.Db, scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name, item) => await RolesApi.UpdateRole(name, Read<UpdateRoleRequest>(item), scope.Grant, scope.Db, scope.Plain, scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name) => await RolesApi.DeleteRole(name, scope.Grant, scope.Db, scope.CancellationToken));

    public static readonly ConfigSection RoleBindings = new(
        "roleBindings", typeof(CreateRoleBindingRequest),
        async scope => (await RoleBindingsApi.ListBindings(scope.Grant, scope.Db, scope.CancellationToken)).Value!,
        async (scope, name, item) => await RoleBindingsApi.CreateBinding(
            scope.Tenant, Read<CreateRoleBindingRequest>(item), scope.Grant, scope.Db, scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name, item) => await RoleBindingsApi.UpdateBinding(
            name, Read<UpdateRoleBindingRequest>(item), scope.Grant, scope.Db, scope.Plain, scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name) => await RoleBindingsApi.DeleteBinding(name, scope.Grant, scope.Db, scope.CancellationToken));

    public static readonly ConfigSection Policies = new(
        "policies", typeof(CreatePolicyRequest),
        async scope => (await PoliciesApi.ListPolicies(scope.Grant, scope.Db, scope.CancellationToken)).Value!,
        async (scope, name, item) => await PoliciesApi.CreatePolicy(
            scope.Tenant, Read<CreatePolicyRequest>(item), scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Get<TimeProvider>(), scope.CancellationToken),
        async (scope, name, item) => await PoliciesApi.UpdatePolicy(
            name, Read<UpdatePolicyRequest>(item), scope.Grant, scope.Db, scope.Get<EgressGuard>(), scope.Get<UserTokenVault>(), scope.Plain, scope.Get<TimeProvider>(),
            scope.CancellationToken),
        async (scope, name) => await PoliciesApi.DeletePolicy(name, scope.Grant, scope.Db, scope.Get<UserTokenVault>(), scope.CancellationToken));

    public static IReadOnlyList<ConfigSection> All { get; } = [Secrets, McpServers, Agents, LlmProviders, Routes, Roles, RoleBindings, Policies];

    /// <summary>The tenant's settings, as the document has them.</summary>
    public static async Task<JsonObject> ReadSettingsAsync(ConfigScope scope)
    {
        var tenant = await scope.Db.Tenants.AsNoTracking().SingleAsync(candidate => candidate.Id == scope.Grant.Tenant.Id, scope.CancellationToken);
        return (JsonObject)JsonSerializer.SerializeToNode(new TenantSettingsConfig(tenant.AuditArguments, tenant.AllowProxyIdentity), ConfigJson.Strict)!;
    }

    /// <summary>
    /// The write that gives the tenant the document's <paramref name="settings"/> (what they leave out stays): null
    /// when it has them already, or when <paramref name="problem"/> says why they cannot be read.
    /// </summary>
    public static Func<Task<IResult>>? WriteSettings(ConfigScope scope, JsonObject settings, JsonObject current, out string? problem)
    {
        problem = null;
        TenantSettingsConfig wanted;
        try
        {
            wanted = settings.Deserialize<TenantSettingsConfig>(ConfigJson.Strict)!;
        }
        catch (JsonException exception)
        {
            problem = $"are not the tenant's settings: {exception.Message}";
            return null;
        }

        var now = current.Deserialize<TenantSettingsConfig>(ConfigJson.Strict)!;
        if ((wanted.AuditArguments ?? now.AuditArguments) == now.AuditArguments && (wanted.AllowProxyIdentity ?? now.AllowProxyIdentity) == now.AllowProxyIdentity)
        {
            return null;
        }

        return async () => await TenantsApi.UpdateTenant(
            new UpdateTenantRequest(scope.Grant.Tenant.DisplayName, wanted.AllowProxyIdentity, wanted.AuditArguments), scope.User, scope.Grant, scope.Db, scope.Plain,
            scope.Get<TimeProvider>(), scope.CancellationToken);
    }

    /// <summary>Every section's items in the tenant, by section key and name.</summary>
    public static async Task<Dictionary<string, SortedDictionary<string, JsonObject>>> ReadAsync(ConfigScope scope)
    {
        var read = new Dictionary<string, SortedDictionary<string, JsonObject>>(StringComparer.Ordinal);
        foreach (var section in All)
        {
            read[section.Key] = await section.ReadAsync(scope);
        }

        return read;
    }

    /// <summary>An item as the request type its endpoint takes (an update's has no name: the item's is the path's).</summary>
    private static T Read<T>(JsonObject item)
    {
        var body = (JsonObject)item.DeepClone();
        if (typeof(T).GetProperty("Name") is null)
        {
            body.Remove("name");
        }

        return body.Deserialize<T>(ConfigJson.Strict)!;
    }

    /// <summary>
    /// A secret: set when the item has its value; without one, the tenant must hold it already (values are never
    /// exported, so a document read back names its secrets without them).
    /// </summary>
    private static async Task<IResult> PutSecretAsync(ConfigScope scope, string name, JsonObject item, bool exists)
    {
        var secret = Read<SecretConfigItem>(item);
        if (secret.Value is null)
        {
            return exists
                ? Problems.Conflict($"Secret '{name}' changes only with its value: give its value to change its description.")
                : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["value"] = [$"is required: the tenant has no secret '{name}' yet."] });
        }

        return await SecretsApi.PutSecret(
            scope.Tenant, name, new PutSecretRequest(secret.Value, secret.Description), scope.Grant, scope.Db, scope.Get<SecretProtector>(), scope.Plain,
            scope.Get<TimeProvider>(), scope.CancellationToken);
    }

    /// <summary>
    /// A stdio server's environment values are not exported (they may be secret): an update that gives none keeps the
    /// server's.
    /// </summary>
    private static async Task<UpdateMcpServerRequest> KeepEnvAsync(ConfigScope scope, string name, UpdateMcpServerRequest request)
    {
        if (request.Env is not null)
        {
            return request;
        }

        var env = await scope.Db.McpServers.AsNoTracking().Where(server => server.TenantId == scope.Grant.Tenant.Id && server.Name == name)
            .Select(server => server.Env).SingleOrDefaultAsync(scope.CancellationToken);
        return env is { Count: > 0 } ? request with { Env = new Dictionary<string, string>(env) } : request;
    }
}
