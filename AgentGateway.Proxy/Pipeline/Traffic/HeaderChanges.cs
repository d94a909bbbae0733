using AgentGateway.Contracts.V1;
using Microsoft.Extensions.Primitives;

namespace AgentGateway.Proxy.Pipeline.Traffic;

/// <summary>A <see cref="HeaderModifier"/> ready to apply: removals, then replacements, then additions.</summary>
internal sealed class HeaderChanges
{
    private readonly string[] _remove;
    private readonly KeyValuePair<string, string>[] _set;
    private readonly KeyValuePair<string, string>[] _add;

    private HeaderChanges(HeaderModifier modifier)
    {
        _remove = [.. modifier.Remove];
        _set = [.. modifier.Set.Select(header => KeyValuePair.Create(header.Name, header.Value))];
        _add = [.. modifier.Add.Select(header => KeyValuePair.Create(header.Name, header.Value))];
    }

    public static HeaderChanges? Compile(HeaderModifier? modifier) =>
        modifier is null || modifier.Add.Count + modifier.Set.Count + modifier.Remove.Count == 0 ? null : new HeaderChanges(modifier);

    /// <summary>
    /// The headers a request the gateway makes itself (to an MCP server) carries after these changes, given those it
    /// would carry: removed and replaced names go, replacements and additions come.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ApplyTo(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var changed = new List<KeyValuePair<string, string>>(headers.Count + _set.Length + _add.Length);
        foreach (var header in headers)
        {
            if (!_remove.Contains(header.Key, StringComparer.OrdinalIgnoreCase) && !_set.Any(set => set.Key.Equals(header.Key, StringComparison.OrdinalIgnoreCase)))
            {
                changed.Add(header);
            }
        }

        changed.AddRange(_set);
        changed.AddRange(_add);
        return changed;
    }

    public void ApplyTo(IHeaderDictionary headers)
    {
        foreach (var name in _remove)
        {
            headers.Remove(name);
        }

        foreach (var (name, value) in _set)
        {
            headers[name] = value;
        }

        foreach (var (name, value) in _add)
        {
            headers[name] = headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : new StringValues(value);
        }
    }
}
