using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace AgentGateway.Portal.Services;

/// <summary>A tenant's config as code: its document, and a document tried or applied.</summary>
internal sealed partial class AdminApiClient
{
    /// <summary>The tenant's config as YAML (secret values never in it).</summary>
    public async Task<string> ExportConfigAsync(string tenant, CancellationToken cancellationToken = default)
    {
        using var response = await SendDocumentAsync(HttpMethod.Get, TenantPath(tenant, "config?format=yaml"), null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="document"/> (YAML or JSON) to the tenant, or with <paramref name="dryRun"/> only says what
    /// it would change; with <paramref name="prune"/>, what a given section does not name is deleted.
    /// </summary>
    public async Task<ConfigApplyResult> ApplyConfigAsync(string tenant, string document, bool dryRun, bool prune, CancellationToken cancellationToken = default)
    {
        var path = TenantPath(tenant, $"config?dryRun={(dryRun ? "true" : "false")}&prune={(prune ? "true" : "false")}");
        using var response = await SendDocumentAsync(HttpMethod.Put, path, document, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<ConfigApplyResult>(s_json, cancellationToken))!;
    }

    /// <summary>A request whose body (when it has one) is a YAML document; the answer, once known to be a success.</summary>
    private async Task<HttpResponseMessage> SendDocumentAsync(HttpMethod method, string path, string? document, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (await tokens.GetAccessTokenAsync(cancellationToken) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (document is not null)
        {
            request.Content = new StringContent(document, Encoding.UTF8, "application/yaml");
        }

        var response = await TransmitAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ToExceptionAsync(response, cancellationToken);
            }
        }

        return response;
    }
}
