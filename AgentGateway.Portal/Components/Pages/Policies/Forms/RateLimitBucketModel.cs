using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A token bucket (<c>RateLimitBucket</c>) of a local or Redis rate limit, and what it is kept per.</summary>
public sealed class RateLimitBucketModel
{
    public const string Route = "route";
    public const string Tenant = "tenant";
    public const string ApiKey = "api-key";
    public const string ClientIp = "client-ip";
    public const string Claim = "claim";
    public const string Header = "header";

    /// <summary>What a bucket can be kept per; claim and header take a name.</summary>
    public static readonly string[] KeyKinds = [Route, Tenant, ApiKey, ClientIp, Claim, Header];

    private JsonObject _source = [];

    public string Name { get; set; } = string.Empty;

    public string KeyKind { get; set; } = Route;

    /// <summary>The claim's or header's name, for those key kinds.</summary>
    public string KeyName { get; set; } = string.Empty;

    public int? MaxTokens { get; set; }

    /// <summary>Null takes <see cref="MaxTokens"/>.</summary>
    public int? TokensPerFill { get; set; }

    /// <summary>Null takes 1000.</summary>
    public int? FillIntervalMs { get; set; }

    /// <summary>Whether <see cref="KeyName"/> applies to the key kind.</summary>
    public bool KeyHasName => KeyKind is Claim or Header;

    public static string KeyTitle(string kind) => kind switch
    {
        Route => "the route",
        Tenant => "the tenant (every route naming this bucket)",
        ApiKey => "API key",
        ClientIp => "client IP address",
        Claim => "a JWT claim",
        Header => "a request header",
        _ => kind,
    };

    public static RateLimitBucketModel Read(JsonObject? json)
    {
        var key = SpecJson.Text(json, "key");
        var separator = key.IndexOf(':', StringComparison.Ordinal);
        var kind = separator < 0 ? key : key[..separator];
        return new RateLimitBucketModel
        {
            _source = SpecJson.Copy(json),
            Name = SpecJson.Text(json, "name"),
            KeyKind = kind.Length == 0 ? Route : kind,
            KeyName = separator < 0 ? string.Empty : key[(separator + 1)..],
            MaxTokens = SpecJson.Number(json, "maxTokens"),
            TokensPerFill = SpecJson.Number(json, "tokensPerFill"),
            FillIntervalMs = SpecJson.Number(json, "fillIntervalMs"),
        };
    }

    /// <summary>The key as the spec writes it: "route", "claim:sub", "header:x-team".</summary>
    public string Key => KeyHasName ? $"{KeyKind}:{KeyName.Trim()}" : KeyKind;

    public JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        SpecJson.Set(json, "name", Name);

        // "route" is the default: left out unless the spec read had written it.
        if (Key == Route && SpecJson.Text(_source, "key").Length == 0)
        {
            json.Remove("key");
        }
        else
        {
            SpecJson.Set(json, "key", Key);
        }

        SpecJson.Set(json, "maxTokens", MaxTokens);
        SpecJson.Set(json, "tokensPerFill", TokensPerFill is 0 ? null : TokensPerFill);
        SpecJson.Set(json, "fillIntervalMs", FillIntervalMs is 0 ? null : FillIntervalMs);
        return json;
    }

    public static List<RateLimitBucketModel> ReadAll(JsonObject? json) =>
        json?["buckets"] is JsonArray buckets ? [.. buckets.OfType<JsonObject>().Select(Read)] : [];

    public static void WriteAll(JsonObject json, IEnumerable<RateLimitBucketModel> buckets)
    {
        var items = buckets.Select(bucket => (JsonNode)bucket.Write()).ToList();
        if (items.Count == 0)
        {
            json.Remove("buckets");
        }
        else
        {
            json["buckets"] = new JsonArray([.. items]);
        }
    }
}
