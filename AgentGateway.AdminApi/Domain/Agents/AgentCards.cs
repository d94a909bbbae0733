using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Domain.Agents;

/// <summary>The parts of an A2A agent card the catalog keeps, read leniently (unknown fields ignored, wrong types skipped).</summary>
internal static class AgentCards
{
    private const int MaxSkills = 200;
    private const int MaxText = 2000;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>The card's summary; null when the document is not a card (no name).</summary>
    public static AgentCardResponse? Read(JsonElement card)
    {
        if (card.ValueKind != JsonValueKind.Object || Text(card, "name") is not { Length: > 0 } name)
        {
            return null;
        }

        var skills = new List<AgentSkillResponse>();
        if (card.TryGetProperty("skills", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var skill in list.EnumerateArray().Take(MaxSkills))
            {
                if (skill.ValueKind == JsonValueKind.Object && Text(skill, "id") is { Length: > 0 } id)
                {
                    skills.Add(new AgentSkillResponse(id, Text(skill, "name") ?? id, Text(skill, "description"), Texts(skill, "tags"), Texts(skill, "examples")));
                }
            }
        }

        var capabilities = card.TryGetProperty("capabilities", out var caps) && caps.ValueKind == JsonValueKind.Object ? caps : default;
        return new AgentCardResponse(
            name,
            Text(card, "description"),
            Text(card, "version"),
            Text(card, "protocolVersion"),
            skills,
            new AgentCapabilitiesResponse(Flag(capabilities, "streaming"), Flag(capabilities, "pushNotifications")));
    }

    public static JsonObject ToJson(AgentCardResponse card) => JsonSerializer.SerializeToNode(card, s_json)!.AsObject();

    public static AgentCardResponse? FromJson(JsonObject? stored) => stored?.Deserialize<AgentCardResponse>(s_json);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Truncated(value.GetString()!) : null;

    private static List<string> Texts(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.String).Take(50).Select(item => Truncated(item.GetString()!))]
            : [];

    private static bool Flag(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static string Truncated(string text) => text.Length <= MaxText ? text : text[..MaxText];
}
