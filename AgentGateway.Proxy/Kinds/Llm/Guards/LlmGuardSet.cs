using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Guards;

namespace AgentGateway.Proxy.Kinds.Llm.Guards;

/// <summary>
/// An LLM route's guards, compiled with its policies: the prompt and answer guards, applied to texts (masking or
/// rejecting), and the moderation webhooks.
/// </summary>
internal sealed class LlmGuardSet
{
    private LlmGuardSet(LlmGuards guards)
    {
        Prompt = [.. guards.Prompt.Select(guard => new CompiledGuard(guard))];
        Answer = [.. guards.Answer.Select(guard => new CompiledGuard(guard))];
        Webhooks = [.. guards.Webhooks];
        AnswerWebhooks = [.. guards.Webhooks.Where(webhook => webhook.Answers)];
        StreamCheckChars = guards.StreamCheckChars > 0 ? (int)guards.StreamCheckChars : DefaultStreamCheckChars;
    }

    /// <summary>How much of a streamed answer's text answer webhooks are asked about at a time, unless the guards say.</summary>
    public const int DefaultStreamCheckChars = 500;

    /// <summary>The webhooks that are asked about answers too.</summary>
    public IReadOnlyList<LlmWebhookGuard> AnswerWebhooks { get; }

    /// <summary>How many characters of a streamed answer's text answer webhooks are asked about at a time.</summary>
    public int StreamCheckChars { get; }

    public IReadOnlyList<CompiledGuard> Prompt { get; }

    public IReadOnlyList<CompiledGuard> Answer { get; }

    public IReadOnlyList<LlmWebhookGuard> Webhooks { get; }

    public static LlmGuardSet? Compile(LlmGuards? guards) => guards is null ? null : new LlmGuardSet(guards);
}
