using System.Text.Json.Nodes;
using AgentGateway.Proxy.Kinds.Llm.Guards;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Routing;

namespace AgentGateway.Proxy.Kinds.Llm.Exchange;

/// <summary>One request of a client API on an LLM route, once read, checked and admitted.</summary>
/// <param name="Tries">The model's targets, healthy ones first.</param>
/// <param name="Guards">The route's compiled guards, or null.</param>
/// <param name="Started">When the request came in, as a <see cref="TimeProvider"/> timestamp.</param>
/// <param name="WantsUsage">Whether the client asked for usage at the end of its stream.</param>
internal sealed record LlmExchange(
    HttpContext Context, RouteRuntime Runtime, RequestScope Scope, LlmClientApi Api, JsonObject Request, string Model, IReadOnlyList<LlmTry> Tries,
    LlmGuardSet? Guards, long Started, bool Stream, bool WantsUsage)
{
    public Route Route => Runtime.Route;

    /// <summary>
    /// The Responses API: the gateway keeps the model's conversations (some target serves the API on top of Chat
    /// Completions); else its providers do.
    /// </summary>
    public bool KeepsConversations => Api == LlmClientApi.OpenAiResponses && Tries.Any(attempt => Api.AdapterFor(attempt.Provider, attempt.Model) is not NativeResponsesAdapter);

    /// <summary>The Responses API: the stored response whose conversation the gateway put ahead of the request's input.</summary>
    public string? ContinuedFrom { get; init; }
}
