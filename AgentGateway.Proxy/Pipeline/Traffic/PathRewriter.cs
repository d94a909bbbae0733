using System.Text.RegularExpressions;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Routing;

namespace AgentGateway.Proxy.Pipeline.Traffic;

/// <summary>
/// A route's <see cref="UrlRewrite"/>: the path sent upstream (whole, the matched prefix, or a regex substitution)
/// and the Host header. On exact and regex routes the whole path counts as the matched prefix.
/// </summary>
internal sealed class PathRewriter
{
    private readonly UrlRewrite _rewrite;
    private readonly Regex? _regex;

    public PathRewriter(UrlRewrite rewrite)
    {
        _rewrite = rewrite;
        _regex = rewrite.PathCase == UrlRewrite.PathOneofCase.Regex
            ? new Regex(rewrite.Regex.Pattern, RegexOptions.CultureInvariant, RouteValidator.RegexTimeout)
            : null;
    }

    /// <summary>The Host sent upstream instead of the destination's, or null.</summary>
    public string? Hostname => _rewrite.Hostname.Length > 0 ? _rewrite.Hostname : null;

    public bool RewritesPath => _rewrite.PathCase != UrlRewrite.PathOneofCase.None;

    /// <summary>The path sent upstream for <paramref name="path"/>.</summary>
    public string Rewrite(string path, RouteMatchResult match)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(match);
        switch (_rewrite.PathCase)
        {
            case UrlRewrite.PathOneofCase.ReplaceFullPath:
                return _rewrite.ReplaceFullPath;
            case UrlRewrite.PathOneofCase.ReplacePrefixMatch:
                return ReplacePrefix(path, match.MatchedPrefix ?? path, _rewrite.ReplacePrefixMatch);
            case UrlRewrite.PathOneofCase.Regex:
                try
                {
                    var rewritten = _regex!.Replace(path, _rewrite.Regex.Substitution);
                    return rewritten.Length > 0 && rewritten[0] == '/' ? rewritten : "/" + rewritten;
                }
                catch (RegexMatchTimeoutException)
                {
                    return path;
                }

            default:
                return path;
        }
    }

    /// <summary>
    /// Replaces <paramref name="prefix"/> (no trailing '/', "" for the root) at the start of <paramref name="path"/>
    /// on a segment boundary: prefix "/api" with "/v2" turns "/api/x" into "/v2/x", with "/" into "/x".
    /// </summary>
    public static string ReplacePrefix(string path, string prefix, string replacement)
    {
        var rest = path.Length >= prefix.Length ? path[prefix.Length..] : string.Empty;
        var head = replacement.Length > 1 ? replacement.TrimEnd('/') : rest.Length > 0 ? string.Empty : replacement;
        var result = rest.Length > 0 && rest[0] != '/' ? head + "/" + rest : head + rest;
        return result.Length == 0 ? "/" : result;
    }
}
