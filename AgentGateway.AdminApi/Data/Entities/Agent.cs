using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>An A2A agent in a tenant's catalog; A2A routes expose it through the gateway.</summary>
internal sealed class Agent
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    /// <summary>The agent's base URL.</summary>
    public required string Url { get; set; }

    /// <summary>The card's URL when it is not at the base URL's well-known path.</summary>
    public string? CardUrl { get; set; }

    public string? Description { get; set; }

    /// <summary>What the card said when last fetched (<c>AgentCardResponse</c> as JSON); null when never fetched.</summary>
    public JsonObject? Card { get; set; }

    public DateTimeOffset? CardFetchedAt { get; set; }

    /// <summary>Why the last refresh of the card failed; null after a successful fetch.</summary>
    public string? CardError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
