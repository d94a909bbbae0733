namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// What a model's tokens cost, platform-wide, edited by platform admins: usage records are priced with it when they
/// arrive (a provider's name for the model first, then the name the client used).
/// </summary>
internal sealed class ModelPrice
{
    /// <summary>The model's name, as a provider calls it (<c>gpt-4o-mini</c>) or as routes alias it.</summary>
    public required string Model { get; set; }

    /// <summary>The price of a million input tokens.</summary>
    public decimal InputPerMillion { get; set; }

    /// <summary>The price of a million output tokens.</summary>
    public decimal OutputPerMillion { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }

    public uint Version { get; set; }
}
