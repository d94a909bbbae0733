using System.ComponentModel;
using System.Globalization;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.InputRequired;

/// <summary>
/// Tools that answer with an <c>input_required</c> result (SEP-2322) until the client retries the call with the
/// requested <c>inputResponses</c> and, where one was issued, the signed <c>requestState</c>.
/// </summary>
[McpServerToolType]
internal sealed class InputRequiredTools(RequestStateProtector stateProtector)
{
    [McpServerTool(Name = "test_input_required_result_elicitation"), Description("Asks for the user's name through an input_required result, then greets them.")]
    public static CallToolResult Elicitation(RequestContext<CallToolRequestParams> context)
    {
        var name = InputRequests.ElicitedText(context.Params?.InputResponses, "user_name", "name");
        if (name is null)
        {
            throw new InputRequiredException(new Dictionary<string, InputRequest>
            {
                ["user_name"] = InputRequests.AskForText("What is your name?", "name"),
            });
        }

        return Text($"Hello, {name}!");
    }

    [McpServerTool(Name = "test_input_required_result_sampling"), Description("Asks the client's model a question through an input_required result, then returns the answer.")]
    public static CallToolResult Sampling(RequestContext<CallToolRequestParams> context)
    {
        if (!InputRequests.Has(context.Params?.InputResponses, "capital_question"))
        {
            throw new InputRequiredException(new Dictionary<string, InputRequest>
            {
                ["capital_question"] = InputRequests.Sample("What is the capital of France?", 100),
            });
        }

        return Text($"Sampling result: {InputRequests.SampledText(context.Params?.InputResponses, "capital_question") ?? "no response"}");
    }

    [McpServerTool(Name = "test_input_required_result_list_roots"), Description("Asks for the client's roots through an input_required result, then counts them.")]
    public static CallToolResult ListRoots(RequestContext<CallToolRequestParams> context)
    {
        if (InputRequests.RootCount(context.Params?.InputResponses, "client_roots") is not { } count)
        {
            throw new InputRequiredException(new Dictionary<string, InputRequest>
            {
                ["client_roots"] = InputRequests.ListRoots(),
            });
        }

        return Text(string.Create(CultureInfo.InvariantCulture, $"Found {count} root(s)"));
    }

    [McpServerTool(Name = "test_input_required_result_request_state"), Description("Asks for a confirmation and issues a requestState that the retry must echo.")]
    public CallToolResult RequestStateRoundTrip(RequestContext<CallToolRequestParams> context)
    {
        var parameters = context.Params;
        if (parameters?.RequestState is { } echoed)
        {
            RequireValidState(echoed, "request-state", out _);
            if (InputRequests.ElicitedFlag(parameters.InputResponses, "confirm", "ok") is not null)
            {
                return Text("state-ok: requestState validated");
            }
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest> { ["confirm"] = InputRequests.AskForConfirmation() },
            stateProtector.Protect(new RequestState("request-state")));
    }

    [McpServerTool(Name = "test_input_required_result_multiple_inputs"), Description("Asks for an elicitation, a sampling and the roots in one round.")]
    public CallToolResult MultipleInputs(RequestContext<CallToolRequestParams> context)
    {
        var parameters = context.Params;
        var responses = parameters?.InputResponses;
        if (parameters?.RequestState is { } echoed
            && InputRequests.Has(responses, "user_name") && InputRequests.Has(responses, "greeting") && InputRequests.Has(responses, "client_roots"))
        {
            RequireValidState(echoed, "multiple-inputs", out _);
            var name = InputRequests.ElicitedText(responses, "user_name", "name") ?? "unknown";
            var greeting = InputRequests.SampledText(responses, "greeting") ?? "Hello there!";
            var roots = InputRequests.RootCount(responses, "client_roots") ?? 0;
            return Text(string.Create(CultureInfo.InvariantCulture, $"Name: {name}; Greeting: {greeting}; Roots: {roots}"));
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                ["user_name"] = InputRequests.AskForText("What is your name?", "name"),
                ["greeting"] = InputRequests.Sample("Generate a greeting", 50),
                ["client_roots"] = InputRequests.ListRoots(),
            },
            stateProtector.Protect(new RequestState("multiple-inputs")));
    }

    [McpServerTool(Name = "test_input_required_result_multi_round"), Description("Asks for a name, then a colour, carrying the name forward in the requestState.")]
    public CallToolResult MultiRound(RequestContext<CallToolRequestParams> context)
    {
        var parameters = context.Params;
        if (parameters?.RequestState is { } echoed)
        {
            RequireValidState(echoed, "multi-round", out var state);
            if (state.Round == 1 && InputRequests.ElicitedText(parameters.InputResponses, "step1", "name") is { } name)
            {
                throw new InputRequiredException(
                    new Dictionary<string, InputRequest>
                    {
                        ["step2"] = InputRequests.AskForText("Step 2: What is your favorite color?", "color"),
                    },
                    stateProtector.Protect(new RequestState("multi-round", Round: 2, Name: name)));
            }

            if (state.Round == 2 && InputRequests.ElicitedText(parameters.InputResponses, "step2", "color") is { } color)
            {
                return Text($"Multi-round complete for {state.Name} who likes {color}");
            }
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                ["step1"] = InputRequests.AskForText("Step 1: What is your name?", "name"),
            },
            stateProtector.Protect(new RequestState("multi-round")));
    }

    [McpServerTool(Name = "test_input_required_result_tampered_state"), Description("Issues a signed requestState and refuses a retry whose state was altered.")]
    public CallToolResult TamperedState(RequestContext<CallToolRequestParams> context)
    {
        var parameters = context.Params;
        if (parameters?.RequestState is { } echoed)
        {
            RequireValidState(echoed, "tamper-test", out _);
            if (InputRequests.Has(parameters.InputResponses, "confirm"))
            {
                return Text("integrity-ok: state verified");
            }
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest> { ["confirm"] = InputRequests.AskForConfirmation() },
            stateProtector.Protect(new RequestState("tamper-test")));
    }

    [McpServerTool(Name = "test_input_required_result_capabilities"), Description("Asks only for the kinds of input the client declared it can provide.")]
    public CallToolResult Capabilities(RequestContext<CallToolRequestParams> context)
    {
        if (context.Params?.InputResponses is { Count: > 0 } responses)
        {
            return Text($"capabilities-ok: received {string.Join(',', responses.Keys.Order(StringComparer.Ordinal))}");
        }

        var capabilities = context.JsonRpcRequest.Context?.ClientCapabilities ?? context.Server.ClientCapabilities;
        var inputRequests = new Dictionary<string, InputRequest>();
        if (capabilities?.Elicitation is not null)
        {
            inputRequests["elicit_input"] = InputRequests.AskForText("Elicitation input", "value");
        }

        if (capabilities?.Sampling is not null)
        {
            inputRequests["sample_input"] = InputRequests.Sample("Sample request", 50);
        }

        if (capabilities?.Roots is not null)
        {
            inputRequests["roots_input"] = InputRequests.ListRoots();
        }

        if (inputRequests.Count == 0)
        {
            return Text("No supported capabilities declared");
        }

        throw new InputRequiredException(inputRequests, stateProtector.Protect(new RequestState("capabilities-test")));
    }

    private void RequireValidState(string echoed, string kind, out RequestState state)
    {
        if (!stateProtector.TryUnprotect(echoed, out state) || state.Kind != kind)
        {
            throw new McpProtocolException("requestState integrity check failed.", McpErrorCode.InvalidParams);
        }
    }

    private static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };
}
