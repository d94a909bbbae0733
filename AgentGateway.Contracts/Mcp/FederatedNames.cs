using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Mcp;

/// <summary>
/// How a federated MCP route names what its targets expose: <c>{target}_{name}</c> when prefixing applies.
/// Target names never contain <c>_</c>, so the first <c>_</c> of a prefixed name separates target from name.
/// </summary>
public static class FederatedNames
{
    /// <summary>Separates the target name from the upstream name.</summary>
    public const char Separator = '_';

    /// <summary>Whether names on a route with <paramref name="targetCount"/> targets carry their target prefix.</summary>
    public static bool UsesPrefix(PrefixMode mode, int targetCount) => mode switch
    {
        PrefixMode.Always => true,
        PrefixMode.Never => false,
        _ => targetCount > 1,
    };

    /// <summary>The client-facing name of <paramref name="name"/> exposed by <paramref name="target"/>.</summary>
    public static string Compose(string target, string name, bool prefixed) =>
        prefixed ? string.Concat(target, "_", name) : name;

    /// <summary>Splits a prefixed client-facing name into its target and upstream name.</summary>
    public static bool TrySplit(string federatedName, out string target, out string name)
    {
        ArgumentNullException.ThrowIfNull(federatedName);
        var index = federatedName.IndexOf(Separator, StringComparison.Ordinal);
        if (index <= 0 || index == federatedName.Length - 1)
        {
            target = string.Empty;
            name = string.Empty;
            return false;
        }

        target = federatedName[..index];
        name = federatedName[(index + 1)..];
        return true;
    }

    /// <summary>Separates the target name from the upstream URI in a namespaced resource URI.</summary>
    public const char UriSeparator = '+';

    /// <summary>The scheme of MCP Apps' user interface resources, which hosts recognize them by.</summary>
    public const string UiScheme = "ui://";

    /// <summary>
    /// The client-facing form of a resource URI (or URI template) of <paramref name="target"/>: <c>{target}+{uri}</c>.
    /// Target names are valid URI scheme characters, so the result is still an absolute URI (its scheme becomes
    /// <c>{target}+{scheme}</c>) and a URI template keeps its variables. An MCP App's <c>ui://</c> resource keeps its
    /// scheme, which hosts recognize it by: the target becomes its first segment, <c>ui://{target}/{rest}</c>.
    /// </summary>
    public static string ComposeUri(string target, string uri, bool prefixed)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return !prefixed ? uri
            : uri.StartsWith(UiScheme, StringComparison.OrdinalIgnoreCase) ? string.Concat(UiScheme, target, "/", uri.AsSpan(UiScheme.Length))
            : string.Concat(target, "+", uri);
    }

    /// <summary>Splits a namespaced resource URI (<see cref="ComposeUri"/>) into its target and upstream URI.</summary>
    public static bool TrySplitUri(string federatedUri, out string target, out string uri)
    {
        ArgumentNullException.ThrowIfNull(federatedUri);
        if (federatedUri.StartsWith(UiScheme, StringComparison.OrdinalIgnoreCase))
        {
            var rest = federatedUri.AsSpan(UiScheme.Length);
            var slash = rest.IndexOf('/');
            if (slash <= 0 || slash == rest.Length - 1)
            {
                target = string.Empty;
                uri = string.Empty;
                return false;
            }

            target = rest[..slash].ToString();
            uri = string.Concat(UiScheme, rest[(slash + 1)..]);
            return true;
        }

        var index = federatedUri.IndexOf(UriSeparator, StringComparison.Ordinal);
        var colon = federatedUri.IndexOf(':', StringComparison.Ordinal);
        if (index <= 0 || index == federatedUri.Length - 1 || (colon >= 0 && colon < index))
        {
            target = string.Empty;
            uri = string.Empty;
            return false;
        }

        target = federatedUri[..index];
        uri = federatedUri[(index + 1)..];
        return true;
    }
}
