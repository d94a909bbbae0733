namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// An LLM provider in a tenant's catalog: an OpenAI-compatible or Anthropic API. LLM routes serve their models from
/// the providers they name; a backend-auth policy attached to the provider holds its API key.
/// </summary>
internal sealed class LlmProvider : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    /// <summary><c>openai</c> (OpenAI's API and every server that speaks it), <c>azure-openai</c> or <c>anthropic</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The API's base URL (for OpenAI-compatible servers the one below which /chat/completions lives).</summary>
    public required string Url { get; set; }

    /// <summary>How long one try may take to answer (a stream: its first byte), in milliseconds; null takes the proxy's default.</summary>
    public int? TimeoutMs { get; set; }

    /// <summary>Azure OpenAI: the api-version of its deployments API; null takes the proxy's default.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>OpenAI and Azure OpenAI: the provider serves the Responses API itself (requests go to it as sent).</summary>
    public bool NativeResponses { get; set; }

    public string? Description { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
