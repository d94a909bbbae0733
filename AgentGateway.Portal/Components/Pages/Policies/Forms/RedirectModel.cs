using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A redirect spec (<c>RequestRedirect</c>): the parts of the URL that change, and the status.</summary>
public sealed class RedirectModel : PolicySpecModel
{
    /// <summary>The path is kept.</summary>
    public const string KeepPath = "keep";

    /// <summary>The whole path is replaced (<c>replaceFullPath</c>).</summary>
    public const string FullPath = "replaceFullPath";

    /// <summary>The prefix the route matched is replaced (<c>replacePrefixMatch</c>).</summary>
    public const string PrefixPath = "replacePrefixMatch";

    public static readonly int[] StatusCodes = [301, 302, 303, 307, 308];

    private JsonObject _source = [];

    /// <summary>"http", "https", or empty to keep the request's.</summary>
    public string Scheme { get; set; } = string.Empty;

    public string Hostname { get; set; } = string.Empty;

    public int? Port { get; set; }

    public string PathMode { get; set; } = KeepPath;

    public string Path { get; set; } = string.Empty;

    /// <summary>Null takes 302.</summary>
    public int? StatusCode { get; set; }

    public static RedirectModel Read(JsonObject? json)
    {
        var full = SpecJson.Text(json, FullPath);
        var prefix = SpecJson.Text(json, PrefixPath);
        return new RedirectModel
        {
            _source = SpecJson.Copy(json),
            Scheme = SpecJson.Text(json, "scheme"),
            Hostname = SpecJson.Text(json, "hostname"),
            Port = SpecJson.Number(json, "port"),
            PathMode = full.Length > 0 ? FullPath : prefix.Length > 0 ? PrefixPath : KeepPath,
            Path = full.Length > 0 ? full : prefix,
            StatusCode = SpecJson.Number(json, "statusCode"),
        };
    }

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        SpecJson.Set(json, "scheme", Scheme);
        SpecJson.Set(json, "hostname", Hostname);
        SpecJson.Set(json, "port", Port is 0 ? null : Port);
        json.Remove(FullPath);
        json.Remove(PrefixPath);
        if (PathMode != KeepPath)
        {
            SpecJson.Set(json, PathMode, Path);
        }

        SpecJson.Set(json, "statusCode", StatusCode);
        return json;
    }
}
