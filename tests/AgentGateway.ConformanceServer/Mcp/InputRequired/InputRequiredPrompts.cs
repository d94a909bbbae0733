using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.InputRequired;

/// <summary>A prompt that needs an answer from the user before it can be rendered (SEP-2322 on <c>prompts/get</c>).</summary>
[McpServerPromptType]
internal sealed class InputRequiredPrompts
{
    [McpServerPrompt(Name = "test_input_required_result_prompt"), Description("Asks for context through an input_required result, then renders a prompt with it.")]
    public static GetPromptResult ContextPrompt(RequestContext<GetPromptRequestParams> context)
    {
        var userContext = InputRequests.ElicitedText(context.Params?.InputResponses, "user_context", "context");
        if (userContext is null)
        {
            throw new InputRequiredException(new Dictionary<string, InputRequest>
            {
                ["user_context"] = InputRequests.AskForText("What context should the prompt use?", "context"),
            });
        }

        return new GetPromptResult
        {
            Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = $"Prompt with context: {userContext}" } }],
        };
    }
}
