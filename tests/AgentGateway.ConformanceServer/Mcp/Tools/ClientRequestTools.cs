using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Tools;

/// <summary>Tools that send a sampling or elicitation request back to the client on the call's own stream.</summary>
[McpServerToolType]
internal sealed class ClientRequestTools
{
    [McpServerTool(Name = "test_sampling"), Description("Tests server-initiated sampling (LLM completion request)")]
    public static async Task<string> Sampling(
        McpServer server,
        [Description("The prompt to send to the LLM")] string prompt,
        CancellationToken cancellationToken)
    {
        var result = await server.SampleAsync(new CreateMessageRequestParams
        {
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
            MaxTokens = 100,
        }, cancellationToken);

        var text = result.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text ?? "No response";
        return $"LLM response: {text}";
    }

    [McpServerTool(Name = "test_elicitation"), Description("Tests server-initiated elicitation (user input request)")]
    public static async Task<string> Elicitation(
        McpServer server,
        [Description("The message to show the user")] string message,
        CancellationToken cancellationToken)
    {
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = message,
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    ["response"] = new ElicitRequestParams.StringSchema { Description = "User's response" },
                },
                Required = ["response"],
            },
        }, cancellationToken);

        return $"User response: action={result.Action}, content={Describe(result.Content)}";
    }

    [McpServerTool(Name = "test_elicitation_sep1034_defaults"), Description("Tests elicitation with default values per SEP-1034")]
    public static async Task<string> ElicitationWithDefaults(McpServer server, CancellationToken cancellationToken)
    {
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please review and update the form fields with defaults",
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    ["name"] = new ElicitRequestParams.StringSchema { Description = "User name", Default = "John Doe" },
                    ["age"] = new ElicitRequestParams.NumberSchema { Type = "integer", Description = "User age", Default = 30 },
                    ["score"] = new ElicitRequestParams.NumberSchema { Description = "User score", Default = 95.5 },
                    ["status"] = new ElicitRequestParams.UntitledSingleSelectEnumSchema
                    {
                        Description = "User status",
                        Enum = ["active", "inactive", "pending"],
                        Default = "active",
                    },
                    ["verified"] = new ElicitRequestParams.BooleanSchema { Description = "Verification status", Default = true },
                },
                Required = [],
            },
        }, cancellationToken);

        return $"Elicitation completed: action={result.Action}, content={Describe(result.Content)}";
    }

    [McpServerTool(Name = "test_elicitation_sep1330_enums"), Description("Tests elicitation with enum schema improvements per SEP-1330")]
    public static async Task<string> ElicitationWithEnums(McpServer server, CancellationToken cancellationToken)
    {
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please select options from the enum fields",
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    ["untitledSingle"] = new ElicitRequestParams.UntitledSingleSelectEnumSchema
                    {
                        Description = "Select one option",
                        Enum = ["option1", "option2", "option3"],
                    },
                    ["titledSingle"] = new ElicitRequestParams.TitledSingleSelectEnumSchema
                    {
                        Description = "Select one option with titles",
                        OneOf =
                        [
                            new() { Const = "value1", Title = "First Option" },
                            new() { Const = "value2", Title = "Second Option" },
                            new() { Const = "value3", Title = "Third Option" },
                        ],
                    },
#pragma warning disable MCP9001 // The legacy enumNames form is exactly what this scenario checks.
                    ["legacyEnum"] = new ElicitRequestParams.LegacyTitledEnumSchema
                    {
                        Description = "Select one option (legacy)",
                        Enum = ["opt1", "opt2", "opt3"],
                        EnumNames = ["Option One", "Option Two", "Option Three"],
                    },
#pragma warning restore MCP9001
                    ["untitledMulti"] = new ElicitRequestParams.UntitledMultiSelectEnumSchema
                    {
                        Description = "Select multiple options",
                        MinItems = 1,
                        MaxItems = 3,
                        Items = new ElicitRequestParams.UntitledEnumItemsSchema { Enum = ["option1", "option2", "option3"] },
                    },
                    ["titledMulti"] = new ElicitRequestParams.TitledMultiSelectEnumSchema
                    {
                        Description = "Select multiple options with titles",
                        MinItems = 1,
                        MaxItems = 3,
                        Items = new ElicitRequestParams.TitledEnumItemsSchema
                        {
                            AnyOf =
                            [
                                new() { Const = "value1", Title = "First Choice" },
                                new() { Const = "value2", Title = "Second Choice" },
                                new() { Const = "value3", Title = "Third Choice" },
                            ],
                        },
                    },
                },
                Required = [],
            },
        }, cancellationToken);

        return $"Elicitation completed: action={result.Action}, content={Describe(result.Content)}";
    }

    private static string Describe(IDictionary<string, JsonElement>? content) =>
        content is null ? "{}" : JsonSerializer.Serialize(content, McpJsonUtilities.DefaultOptions);
}
