using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace AgentGateway.ConformanceServer.Mcp.InputRequired;

/// <summary>Builds the input requests the multi-round fixtures ask for, and reads the client's answers.</summary>
internal static class InputRequests
{
    public static InputRequest AskForText(string message, string field) => InputRequest.ForElicitation(new ElicitRequestParams
    {
        Message = message,
        RequestedSchema = new ElicitRequestParams.RequestSchema
        {
            Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
            {
                [field] = new ElicitRequestParams.StringSchema(),
            },
            Required = [field],
        },
    });

    public static InputRequest AskForConfirmation() => InputRequest.ForElicitation(new ElicitRequestParams
    {
        Message = "Please confirm",
        RequestedSchema = new ElicitRequestParams.RequestSchema
        {
            Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
            {
                ["ok"] = new ElicitRequestParams.BooleanSchema(),
            },
            Required = ["ok"],
        },
    });

    public static InputRequest Sample(string prompt, int maxTokens) => InputRequest.ForSampling(new CreateMessageRequestParams
    {
        Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
        MaxTokens = maxTokens,
    });

    public static InputRequest ListRoots() => InputRequest.ForRootsList(new ListRootsRequestParams());

    /// <summary>Whether the client answered <paramref name="key"/> at all.</summary>
    public static bool Has(IDictionary<string, InputResponse>? responses, string key) =>
        responses is not null && responses.ContainsKey(key);

    /// <summary>The string field of an accepted elicitation, or <see langword="null"/> when the answer lacks it.</summary>
    public static string? ElicitedText(IDictionary<string, InputResponse>? responses, string key, string field)
    {
        var result = Read(responses, key, InputResponse.ElicitResultJsonTypeInfo);
        return result?.Content is { } content && content.TryGetValue(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }

    /// <summary>The boolean field of an accepted elicitation, or <see langword="null"/> when the answer lacks it.</summary>
    public static bool? ElicitedFlag(IDictionary<string, InputResponse>? responses, string key, string field)
    {
        var result = Read(responses, key, InputResponse.ElicitResultJsonTypeInfo);
        return result?.Content is { } content && content.TryGetValue(field, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;
    }

    public static string? SampledText(IDictionary<string, InputResponse>? responses, string key) =>
        Read(responses, key, InputResponse.CreateMessageResultJsonTypeInfo)?.Content?.OfType<TextContentBlock>().FirstOrDefault()?.Text;

    public static int? RootCount(IDictionary<string, InputResponse>? responses, string key) =>
        Read(responses, key, InputResponse.ListRootsResultJsonTypeInfo)?.Roots?.Count;

    private static T? Read<T>(IDictionary<string, InputResponse>? responses, string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (responses is null || !responses.TryGetValue(key, out var response))
        {
            return null;
        }

        try
        {
            return response.Deserialize(typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
