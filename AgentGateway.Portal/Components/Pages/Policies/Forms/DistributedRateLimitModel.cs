using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>
/// A rate-limit spec (<c>DistributedRateLimit</c>): limits every proxy replica shares, counted in Redis or decided by an
/// Envoy rate-limit service, and what happens when that store cannot be reached.
/// </summary>
public sealed class DistributedRateLimitModel : PolicySpecModel
{
    public const string Redis = "redis";
    public const string Envoy = "envoy";
    public const string FailOpen = "open";
    public const string FailClosed = "closed";

    private JsonObject _source = [];
    private JsonObject _redisSource = [];
    private JsonObject _envoySource = [];

    public string Service { get; set; } = Redis;

    /// <summary>The Redis counters' buckets.</summary>
    public List<RateLimitBucketModel> Buckets { get; } = [];

    /// <summary>The Envoy service's address, e.g. http://ratelimit:8081.</summary>
    public string Address { get; set; } = string.Empty;

    public string Domain { get; set; } = string.Empty;

    /// <summary>The Envoy descriptors, each a list of key=value entries.</summary>
    public List<DescriptorModel> Descriptors { get; } = [];

    /// <summary>Null takes 100.</summary>
    public int? TimeoutMs { get; set; }

    public string FailureMode { get; set; } = FailOpen;

    public static DistributedRateLimitModel Read(JsonObject? json)
    {
        var redis = SpecJson.Object(json, Redis);
        var envoy = SpecJson.Object(json, Envoy);
        var model = new DistributedRateLimitModel
        {
            _source = SpecJson.Copy(json),
            _redisSource = SpecJson.Copy(redis),
            _envoySource = SpecJson.Copy(envoy),
            Service = envoy is not null && redis is null ? Envoy : Redis,
            Address = SpecJson.Text(envoy, "address"),
            Domain = SpecJson.Text(envoy, "domain"),
            TimeoutMs = SpecJson.Number(json, "timeoutMs"),
            FailureMode = SpecJson.Text(json, "failureMode") is { Length: > 0 } mode ? mode : FailOpen,
        };
        model.Buckets.AddRange(RateLimitBucketModel.ReadAll(redis));
        if (envoy?["descriptors"] is JsonArray descriptors)
        {
            model.Descriptors.AddRange(descriptors.OfType<JsonObject>().Select(descriptor => new DescriptorModel([.. NameValueModel.ReadAll(descriptor, "entries")])));
        }

        return model;
    }

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        json.Remove(Redis);
        json.Remove(Envoy);
        if (Service == Envoy)
        {
            var envoy = SpecJson.Copy(_envoySource);
            SpecJson.Set(envoy, "address", Address);
            SpecJson.Set(envoy, "domain", Domain);
            var descriptors = Descriptors.Select(descriptor =>
            {
                var item = new JsonObject();
                NameValueModel.WriteAll(item, "entries", descriptor.Entries);
                return (JsonNode)item;
            }).ToList();
            if (descriptors.Count == 0)
            {
                envoy.Remove("descriptors");
            }
            else
            {
                envoy["descriptors"] = new JsonArray([.. descriptors]);
            }

            json[Envoy] = envoy;
        }
        else
        {
            var redis = SpecJson.Copy(_redisSource);
            RateLimitBucketModel.WriteAll(redis, Buckets);
            json[Redis] = redis;
        }

        SpecJson.Set(json, "timeoutMs", TimeoutMs is 0 ? null : TimeoutMs);

        // "open" is the default: left out unless the spec read had written it.
        if (FailureMode == FailOpen && SpecJson.Text(_source, "failureMode").Length == 0)
        {
            json.Remove("failureMode");
        }
        else
        {
            SpecJson.Set(json, "failureMode", FailureMode);
        }

        return json;
    }
}
