using System.Security.Cryptography;
using System.Text;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>What a route request asks for, after defaults, as the messages proxies receive.</summary>
/// <param name="Match">The whole match: the one path kind, hosts, methods, headers and query.</param>
/// <param name="Http">HTTP routes: destinations, health checks and preserveHost (never auth or TLS, which come from policies).</param>
/// <param name="Llm">LLM routes: the providers by name only (the catalog and policies fill in the rest), models and passive health check.</param>
internal sealed record RouteDefinition(string Kind, RouteMatch Match, HttpBackend? Http, LlmBackend? Llm = null)
{
    /// <summary>
    /// A digest of the match, unique across the platform. A match of only an exact path keys as <c>exact:{path}</c>,
    /// which is what the routes made before routes had kinds were keyed with.
    /// </summary>
    public string MatchKey => KeyOf(Match);

    public static string KeyOf(RouteMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var text = new StringBuilder();
        text.Append(match.Path.Length > 0 ? "exact:" + match.Path : match.PathPrefix.Length > 0 ? "prefix:" + match.PathPrefix : "regex:" + match.PathRegex);
        if (match.Hosts.Count > 0 || match.Methods.Count > 0 || match.Headers.Count > 0 || match.Query.Count > 0)
        {
            var rest = new RouteMatch();
            rest.Hosts.Add(match.Hosts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            rest.Methods.Add(match.Methods.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            rest.Headers.Add(match.Headers.OrderBy(header => header.ToString(), StringComparer.Ordinal));
            rest.Query.Add(match.Query.OrderBy(query => query.ToString(), StringComparer.Ordinal));
            text.Append('|').Append(ProtoJson.Format(rest).ToJsonString());
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
