using System.Globalization;

namespace AgentGateway.Portal.Services;

/// <summary>The tenant's LLM usage and the platform's model price table.</summary>
internal sealed partial class AdminApiClient
{
    /// <summary>Requests, tokens and spend from <paramref name="from"/> to <paramref name="to"/>, per bucket of <paramref name="interval"/> and group.</summary>
    public Task<LlmUsageInfo> GetLlmUsageAsync(
        string tenant, DateTimeOffset from, DateTimeOffset to, string interval, string groupBy, CancellationToken cancellationToken = default) =>
        SendAsync<LlmUsageInfo>(HttpMethod.Get, TenantPath(tenant,
            $"llm-usage?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}" +
            $"&interval={Uri.EscapeDataString(interval)}&groupBy={Uri.EscapeDataString(groupBy)}"), null, cancellationToken);

    public Task<List<LlmUsageRecordInfo>> GetLlmUsageRecordsAsync(string tenant, int limit, CancellationToken cancellationToken = default) =>
        SendAsync<List<LlmUsageRecordInfo>>(HttpMethod.Get, TenantPath(tenant, $"llm-usage/records?limit={limit}"), null, cancellationToken);

    public Task<List<ModelPriceInfo>> GetModelPricesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<ModelPriceInfo>>(HttpMethod.Get, "api/v1/model-prices", null, cancellationToken);

    /// <summary>Sets a model's price (platform admins); a price left out (null) is AdminApi's 400 on its field.</summary>
    public Task<ModelPriceInfo> SetModelPriceAsync(string model, decimal? inputPerMillion, decimal? outputPerMillion, CancellationToken cancellationToken = default) =>
        SendAsync<ModelPriceInfo>(HttpMethod.Put, $"api/v1/model-prices/{Uri.EscapeDataString(model)}", new { inputPerMillion, outputPerMillion }, cancellationToken);

    public Task DeleteModelPriceAsync(string model, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/model-prices/{Uri.EscapeDataString(model)}", null, cancellationToken);
}
