using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Tools;

/// <summary>
/// A tool whose input schema uses JSON Schema 2020-12 keywords ($schema, $defs, $anchor, $ref, composition,
/// conditionals, additionalProperties) that a server must list unchanged.
/// </summary>
internal static class JsonSchema202012Tool
{
    public const string Name = "json_schema_2020_12_tool";

    private const string InputSchema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "$defs": {
            "address": {
              "$anchor": "addressDef",
              "type": "object",
              "properties": {
                "street": { "type": "string" },
                "city": { "type": "string" }
              }
            }
          },
          "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
            "contactMethod": { "type": "string", "enum": ["phone", "email"] },
            "phone": { "type": "string" },
            "email": { "type": "string" }
          },
          "allOf": [ { "anyOf": [ { "required": ["phone"] }, { "required": ["email"] } ] } ],
          "if": { "properties": { "contactMethod": { "const": "phone" } }, "required": ["contactMethod"] },
          "then": { "required": ["phone"] },
          "else": { "required": ["email"] },
          "additionalProperties": false
        }
        """;

    public static McpServerTool Create()
    {
        var tool = McpServerTool.Create(
            (RequestContext<CallToolRequestParams> context) =>
                $"JSON Schema 2020-12 tool called with: {JsonSerializer.Serialize(context.Params?.Arguments ?? new Dictionary<string, JsonElement>(), McpJsonUtilities.DefaultOptions)}",
            new McpServerToolCreateOptions
            {
                Name = Name,
                Description = "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
            });
        tool.ProtocolTool.InputSchema = JsonElement.Parse(InputSchema);
        return tool;
    }
}
