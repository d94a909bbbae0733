using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Kinds.Llm.Exchange;

/// <summary>One provider model a request may go to.</summary>
internal sealed record LlmTry(LlmProvider Provider, string Model);

/// <summary>Where a request for a model goes: its targets in priority order, shuffled by weight within a priority.</summary>
internal static class LlmTargets
{
    /// <summary>
    /// The tries for <paramref name="model"/>, or null when the route does not serve it. A route without models
    /// serves any model, as named, from its first provider.
    /// </summary>
    public static IReadOnlyList<LlmTry>? For(LlmBackend llm, string model, Random random)
    {
        ArgumentNullException.ThrowIfNull(llm);
        if (llm.Models.Count == 0)
        {
            return llm.Providers.Count > 0 ? [new LlmTry(llm.Providers[0], model)] : null;
        }

        var entry = llm.Models.FirstOrDefault(candidate => string.Equals(candidate.Name, model, StringComparison.Ordinal));
        if (entry is null)
        {
            return null;
        }

        var tries = new List<LlmTry>(entry.Targets.Count);
        foreach (var group in entry.Targets.GroupBy(target => target.Priority).OrderBy(group => group.Key))
        {
            var pending = group.ToList();
            while (pending.Count > 0)
            {
                var total = pending.Sum(target => (double)Math.Max(1u, target.Weight));
                var pick = random.NextDouble() * total;
                var index = 0;
                for (; index < pending.Count - 1; index++)
                {
                    pick -= Math.Max(1u, pending[index].Weight);
                    if (pick < 0)
                    {
                        break;
                    }
                }

                var target = pending[index];
                pending.RemoveAt(index);
                if (llm.Providers.FirstOrDefault(provider => provider.Name == target.Provider) is { } provider)
                {
                    tries.Add(new LlmTry(provider, target.Model.Length > 0 ? target.Model : entry.Name));
                }
            }
        }

        return tries;
    }
}
