using AgentGateway.Proxy.Kinds.Llm.Guards;

namespace AgentGateway.Proxy.Kinds.Llm;

/// <summary>What an LLM route keeps for one config version: its compiled prompt and answer guards (null without any).</summary>
internal sealed record LlmRouteState(LlmGuardSet? Guards);
