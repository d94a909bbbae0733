using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Pipeline.Guards;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Kinds.Mcp.Governance;

/// <summary>
/// An MCP route's tool guards (<see cref="ToolGuards"/>) on its tool calls: the string values of a call's arguments,
/// at any depth, are checked before any target sees them, and the text of the result (text content, embedded
/// resources' text, structured content's strings) before the client does. A guard masks what it matches in place or
/// refuses the call (JSON-RPC error -32041, naming the guard and what it found, recorded in the call's record); sizes
/// beyond the route's bounds are refused alike. Counted in <c>agentgateway.mcp.guard.actions</c>.
/// </summary>
internal sealed class McpToolGuards(GatewayMetrics metrics)
{
    /// <summary>The guards of a config, compiled once: the config's message is the key, gone with it.</summary>
    private static readonly ConditionalWeakTable<ToolGuards, CompiledToolGuards> s_compiled = [];

    /// <summary>Checks (and masks in place) the arguments of a call of <paramref name="tool"/> (the client's name for it).</summary>
    /// <exception cref="McpGatewayException">A guard or a bound refuses the call.</exception>
    public void CheckArguments(McpSession session, string tool, JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(request);
        if (For(session, tool) is not { } guards || request["params"] is not JsonObject parameters || parameters["arguments"] is not { } arguments)
        {
            return;
        }

        if (guards.MaxArgumentBytes > 0 && JsonSize(arguments) > guards.MaxArgumentBytes)
        {
            Refuse(session, "max-argument-bytes", "arguments",
                $"The arguments of tool '{tool}' are larger than this route allows ({guards.MaxArgumentBytes} bytes).");
        }

        var texts = new List<(JsonNode Parent, object Key, string Text)>();
        Collect(arguments, parameters, "arguments", texts);
        Apply(session, guards.Arguments, texts, "arguments");
    }

    /// <summary>Checks (and masks in place) the result of a call of <paramref name="tool"/>.</summary>
    /// <exception cref="McpGatewayException">A guard or a bound refuses the result.</exception>
    public void CheckResult(McpSession session, string tool, JsonObject response)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(response);
        if (For(session, tool) is not { } guards || response["result"] is not JsonObject result)
        {
            return;
        }

        if (guards.MaxResultBytes > 0 && JsonSize(result) > guards.MaxResultBytes)
        {
            Refuse(session, "max-result-bytes", "result",
                $"The result of tool '{tool}' is larger than this route allows ({guards.MaxResultBytes} bytes).");
        }

        var texts = new List<(JsonNode Parent, object Key, string Text)>();
        foreach (var content in (result["content"] as JsonArray ?? []).OfType<JsonObject>())
        {
            switch (JsonRpc.GetString(content, "type"))
            {
                case "text":
                    Collect(content["text"], content, "text", texts, recurse: false);
                    break;
                case "resource" when content["resource"] is JsonObject resource:
                    Collect(resource["text"], resource, "text", texts, recurse: false);
                    break;
                default:
                    break;
            }
        }

        if (result["structuredContent"] is { } structured)
        {
            Collect(structured, result, "structuredContent", texts);
        }

        Apply(session, guards.Results, texts, "result");
    }

    private static CompiledToolGuards? For(McpSession session, string tool) =>
        session.Route.Policies?.ToolGuards is { } config && s_compiled.GetValue(config, static config => new CompiledToolGuards(config)) is var guards
            && guards.Covers(tool)
            ? guards
            : null;

    private void Apply(McpSession session, IReadOnlyList<CompiledGuard> guards, List<(JsonNode Parent, object Key, string Text)> texts, string phase)
    {
        if (guards.Count == 0 || texts.Count == 0)
        {
            return;
        }

        var hits = new List<(string Guard, bool Rejected)>();
        var masked = TextGuards.Apply(guards, [.. texts.Select(text => text.Text)], phase, out var rejection, hits);
        foreach (var (guard, rejected) in hits.Distinct())
        {
            metrics.ToolGuarded(session.RouteKey, guard, phase, rejected);
        }

        if (masked is null)
        {
            metrics.Refused(session.RouteKey, RouteKinds.Mcp, "tool_guards");
            throw new McpGatewayException(JsonRpcErrorCodes.Forbidden, rejection!.Message);
        }

        for (var index = 0; index < texts.Count; index++)
        {
            if (!ReferenceEquals(masked[index], texts[index].Text))
            {
                var (parent, key, _) = texts[index];
                if (parent is JsonObject map)
                {
                    map[(string)key] = masked[index];
                }
                else if (parent is JsonArray list)
                {
                    list[(int)key] = masked[index];
                }
            }
        }
    }

    private void Refuse(McpSession session, string bound, string phase, string message)
    {
        metrics.ToolGuarded(session.RouteKey, bound, phase, rejected: true);
        metrics.Refused(session.RouteKey, RouteKinds.Mcp, "tool_guards");
        throw new McpGatewayException(JsonRpcErrorCodes.Forbidden, message);
    }

    /// <summary>Every string value of <paramref name="node"/> (itself, or at any depth below it), with where it sits.</summary>
    private static void Collect(JsonNode? node, JsonNode parent, object key, List<(JsonNode Parent, object Key, string Text)> texts, bool recurse = true)
    {
        switch (node)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                texts.Add((parent, key, value.GetValue<string>()));
                break;
            case JsonObject map when recurse:
                foreach (var (name, child) in map.ToList())
                {
                    Collect(child, map, name, texts);
                }

                break;
            case JsonArray list when recurse:
                for (var index = 0; index < list.Count; index++)
                {
                    Collect(list[index], list, index, texts);
                }

                break;
            default:
                break;
        }
    }

    private static long JsonSize(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node).LongLength;

    private sealed class CompiledToolGuards(ToolGuards config)
    {
        private readonly string[] _tools = [.. config.Tools];

        public IReadOnlyList<CompiledGuard> Arguments { get; } = [.. config.Arguments.Select(guard => new CompiledGuard(guard))];

        public IReadOnlyList<CompiledGuard> Results { get; } = [.. config.Results.Select(guard => new CompiledGuard(guard))];

        public uint MaxArgumentBytes { get; } = config.MaxArgumentBytes;

        public uint MaxResultBytes { get; } = config.MaxResultBytes;

        public bool Covers(string tool) => _tools.Length == 0 || _tools.Any(pattern => Glob(pattern, tool));

        /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/>, whose '*' matches any characters.</summary>
        private static bool Glob(string pattern, string text)
        {
            int p = 0, t = 0, star = -1, resume = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && pattern[p] == '*')
                {
                    (star, resume) = (p++, t);
                }
                else if (p < pattern.Length && pattern[p] == text[t])
                {
                    (p, t) = (p + 1, t + 1);
                }
                else if (star >= 0)
                {
                    (p, t) = (star + 1, ++resume);
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }
    }
}
