using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AgentGateway.Portal.Services;

/// <summary>
/// AdminApi's REST API, called with the signed-in user's token. A refusal becomes an <see cref="AdminApiException"/>
/// carrying the API's ProblemDetails.
/// </summary>
internal sealed partial class AdminApiClient(HttpClient http, AccessTokenProvider tokens)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public Task<Me> GetMeAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Me>(HttpMethod.Get, "api/v1/me", null, cancellationToken);

    public Task<TenantInfo> CreateTenantAsync(string name, string displayName, CancellationToken cancellationToken = default) =>
        SendAsync<TenantInfo>(HttpMethod.Post, "api/v1/tenants", new { name, displayName }, cancellationToken);

    public Task<List<MemberInfo>> GetMembersAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<MemberInfo>>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/members", null, cancellationToken);

    /// <summary>Adds <paramref name="username"/> to the tenant, or changes their role.</summary>
    public Task<MemberInfo> PutMemberAsync(string tenant, string username, string role, CancellationToken cancellationToken = default) =>
        SendAsync<MemberInfo>(HttpMethod.Put, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/members/{Uri.EscapeDataString(username)}", new { role }, cancellationToken);

    /// <summary>Removes a member (or, for oneself, leaves the tenant).</summary>
    public Task RemoveMemberAsync(string tenant, string username, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/members/{Uri.EscapeDataString(username)}", null, cancellationToken);

    /// <summary>Changes a tenant's display name and (platform admins) whether it may use the proxy's own cloud identity.</summary>
    public Task<TenantInfo> UpdateTenantAsync(string tenant, string displayName, bool allowProxyIdentity, string version, CancellationToken cancellationToken = default) =>
        SendAsync<TenantInfo>(HttpMethod.Put, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}", new { displayName, allowProxyIdentity }, cancellationToken, ifMatch: version);

    public Task<TenantInfo> GetTenantAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<TenantInfo>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}", null, cancellationToken);

    public Task<List<McpServerInfo>> GetMcpServersAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<McpServerInfo>>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/mcp-servers", null, cancellationToken);

    public Task<McpServerInfo> CreateMcpServerAsync(string tenant, NewMcpServer server, CancellationToken cancellationToken = default) =>
        SendAsync<McpServerInfo>(HttpMethod.Post, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/mcp-servers", server, cancellationToken);

    /// <summary>Registers an MCP server from its MCP registry description (or answers, for a dry run, what would be registered).</summary>
    public Task<NewMcpServer> PreviewMcpServerImportAsync(string tenant, McpServerImport import, CancellationToken cancellationToken = default) =>
        SendAsync<NewMcpServer>(HttpMethod.Post, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/mcp-servers/import?dryRun=true", import, cancellationToken);

    public Task<McpServerInfo> ImportMcpServerAsync(string tenant, McpServerImport import, CancellationToken cancellationToken = default) =>
        SendAsync<McpServerInfo>(HttpMethod.Post, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/mcp-servers/import", import, cancellationToken);

    public Task<TenantBudgetInfo> GetTenantBudgetAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<TenantBudgetInfo>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/llm-budget", null, cancellationToken);

    /// <summary>Sets the tenant's LLM budget, or takes it away when <paramref name="budget"/> is null (platform admins).</summary>
    public Task<TenantBudgetInfo> SetTenantBudgetAsync(string tenant, ApiKeyBudgetInfo? budget, CancellationToken cancellationToken = default) =>
        SendAsync<TenantBudgetInfo>(budget is null ? HttpMethod.Delete : HttpMethod.Put, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/llm-budget", budget, cancellationToken);

    public Task DeleteMcpServerAsync(string tenant, string server, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/mcp-servers/{Uri.EscapeDataString(server)}", null, cancellationToken);

    public Task<List<RouteInfo>> GetRoutesAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<RouteInfo>>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/routes", null, cancellationToken);

    public Task<RouteInfo> GetRouteAsync(string tenant, string route, CancellationToken cancellationToken = default) =>
        SendAsync<RouteInfo>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/routes/{Uri.EscapeDataString(route)}", null, cancellationToken);

    public Task<RouteInfo> CreateRouteAsync(string tenant, NewRoute route, CancellationToken cancellationToken = default) =>
        SendAsync<RouteInfo>(HttpMethod.Post, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/routes", route, cancellationToken);

    public Task DeleteRouteAsync(string tenant, string route, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/routes/{Uri.EscapeDataString(route)}", null, cancellationToken);

    /// <summary>A page of the tenant's audit log matching <paramref name="filter"/>, newest first, older than <paramref name="before"/> when given.</summary>
    public Task<List<AuditEntryInfo>> GetAuditAsync(string tenant, AuditFilter filter, DateTimeOffset? before, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new List<string> { $"limit={limit}" };
        foreach (var (name, value) in new[] { ("actor", filter.Actor), ("type", filter.Type), ("resource", filter.Resource), ("action", filter.Action) })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
            }
        }

        foreach (var (name, value) in new[] { ("from", filter.From), ("to", filter.To), ("before", before) })
        {
            if (value is { } at)
            {
                query.Add($"{name}={Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}");
            }
        }

        return SendAsync<List<AuditEntryInfo>>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/audit?{string.Join('&', query)}", null, cancellationToken);
    }

    /// <summary>Changes a route; <paramref name="version"/> (from the route as read) guards against overwriting someone else's change.</summary>
    public Task<RouteInfo> UpdateRouteAsync(string tenant, string route, RouteUpdate update, string version, CancellationToken cancellationToken = default) =>
        SendAsync<RouteInfo>(HttpMethod.Put, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/routes/{Uri.EscapeDataString(route)}", update, cancellationToken, ifMatch: version);

    public Task<RouteTools> GetRouteToolsAsync(string tenant, string route, CancellationToken cancellationToken = default) =>
        SendAsync<RouteTools>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/routes/{Uri.EscapeDataString(route)}/tools", null, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{ifMatch}\""));
        }

        if (await tokens.GetAccessTokenAsync(cancellationToken) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: s_json);
        }

        using var response = await TransmitAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }

        if (response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(object))
        {
            return default!;
        }

        return (await response.Content.ReadFromJsonAsync<T>(s_json, cancellationToken))!;
    }

    private async Task<HttpResponseMessage> TransmitAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or Polly.ExecutionRejectedException
            || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Unreachable(exception);
        }
    }

    /// <summary>AdminApi could not be asked at all (down, or too slow): a refusal the pages show like any other.</summary>
    internal static AdminApiException Unreachable(Exception exception) => new(
        HttpStatusCode.ServiceUnavailable,
        "AdminApi is unreachable",
        $"{exception.Message} Try again in a moment.",
        new Dictionary<string, string[]>(StringComparer.Ordinal));

    private static string TenantPath(string tenant, string rest) => $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/{rest}";

    internal static async Task<AdminApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var title = response.ReasonPhrase ?? $"HTTP {(int)response.StatusCode}";
        string? detail = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            detail = "Your session has expired; sign in again.";
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : title;
                    detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : detail;
                    if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var field in e.EnumerateObject())
                        {
                            errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                                ? [.. field.Value.EnumerateArray().Select(message => message.ToString())]
                                : [field.Value.ToString()];
                        }
                    }
                }
            }
            catch (JsonException)
            {
                detail ??= text.Length > 500 ? text[..500] : text;
            }
        }

        return new AdminApiException(response.StatusCode, title, detail, errors);
    }
}
